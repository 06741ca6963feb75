"""`python -m aiflab` is the `aiflab` command."""

from aiflab.cli import app

app()
