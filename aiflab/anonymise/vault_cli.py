"""`aiflab vault`: re-identify a pseudonym from a token vault; every look-up is logged in the vault."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

vault_app = typer.Typer(help="Token vaults of reversible pseudonymisation: re-identify a pseudonym, "
                             "with who and why written to the vault's access log.", no_args_is_help=True)


@vault_app.callback()
def vault() -> None:
    """Token vaults of reversible pseudonymisation."""


@vault_app.command()
def reidentify(
    token: Annotated[str, typer.Argument(help="The pseudonym to re-identify.", show_default=False)],
    vault: Annotated[Path, typer.Option("--vault", help="The vault file.", show_default=False)],
    key_ref: Annotated[str, typer.Option("--key-ref", help="The vault key: env:NAME or file:path.",
                                         show_default=False)],
    who: Annotated[str, typer.Option("--who", help="Who asks (logged).", show_default=False)],
    reason: Annotated[str, typer.Option("--reason", help="Why (logged).", show_default=False)],
) -> None:
    """Print the original value behind TOKEN, after logging the time, who, why and TOKEN in the vault.

    Exit code 0 on success, 1 when the key, the vault or the token is wrong.
    """
    from aiflab.anonymise.token_vault import reidentify as reveal
    from aiflab.errors import AiflabError
    from aiflab.pipeline.secrets import SecretRef

    try:
        original = reveal(vault, SecretRef(key_ref).resolve(Path.cwd()), token, who, reason)
    except AiflabError as exc:
        typer.echo(f"error {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(original)
