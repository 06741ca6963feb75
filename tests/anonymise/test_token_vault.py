"""The token vault: encrypted round trip, access log, wrong key, and `aiflab vault reidentify`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aiflab.anonymise.token_vault import TokenVault, VaultError, reidentify
from aiflab.anonymise.vault_cli import vault_app
from aiflab.errors import SecretError

KEY = b"vault-key-for-tests-0123456789-abcdef"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "vault.sqlite"
    with TokenVault.open(path, KEY, create=True) as v:
        assert v.store([("PERSON_aa11", "Jan Kowalski", "d", "PERSON"),
                        ("0b1c", "PL61 1090 1014 0000 0712 1981 2874", "d", "IBAN_CODE")]) == 2
        assert v.store([("PERSON_aa11", "Jan Kowalski", "d", "PERSON")]) == 0
    return path


def test_round_trip_and_access_log(vault: Path) -> None:
    assert reidentify(vault, KEY, "PERSON_aa11", "dpo@lab.eu", "court order 12/2025") == "Jan Kowalski"
    with pytest.raises(VaultError, match="holds no pseudonym 'nope'"):
        reidentify(vault, KEY, "nope", "dpo@lab.eu", "typo")
    with TokenVault.open(vault, KEY) as v:
        log = v.access_log()
    assert [(e["who"], e["reason"], e["token"], e["outcome"]) for e in log] == [
        ("dpo@lab.eu", "court order 12/2025", "PERSON_aa11", "revealed"),
        ("dpo@lab.eu", "typo", "nope", "not-found")]
    raw = vault.read_bytes()
    assert b"Kowalski" not in raw and b"PL61" not in raw and KEY not in raw
    assert vault.stat().st_mode & 0o077 == 0


def test_wrong_or_short_key_and_missing_reason(vault: Path) -> None:
    with pytest.raises(VaultError, match="vault key does not open") as caught:
        reidentify(vault, b"w" * 32, "PERSON_aa11", "me", "curious")
    assert "w" * 32 not in str(caught.value)
    with pytest.raises(SecretError, match="at least 32"):
        reidentify(vault, b"short", "PERSON_aa11", "me", "curious")
    with pytest.raises(VaultError, match="who asks and the reason"):
        reidentify(vault, KEY, "PERSON_aa11", "me", " ")
    with pytest.raises(VaultError, match="no token vault"):
        reidentify(vault.parent / "absent.sqlite", KEY, "PERSON_aa11", "me", "why")


def test_tampered_row_is_detected(vault: Path) -> None:
    with sqlite3.connect(vault) as conn:
        conn.execute("UPDATE tokens SET entity = 'LOCATION' WHERE token = 'PERSON_aa11'")
    with pytest.raises(VaultError, match="integrity check"):
        reidentify(vault, KEY, "PERSON_aa11", "me", "audit")


def test_cli_reidentify(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIFLAB_TEST_VAULT_KEY", KEY.decode())
    runner = CliRunner()
    args = ["reidentify", "--vault", str(vault), "--key-ref", "env:AIFLAB_TEST_VAULT_KEY", "--who", "dpo",
            "--reason", "subject access request"]
    ok = runner.invoke(vault_app, [*args, "PERSON_aa11"])
    assert ok.exit_code == 0 and ok.stdout.strip() == "Jan Kowalski"
    bad = runner.invoke(vault_app, [*args, "PERSON_zz"])
    assert bad.exit_code == 1 and "no pseudonym" in bad.stderr
    monkeypatch.setenv("AIFLAB_TEST_VAULT_KEY", "x" * 40)
    wrong = runner.invoke(vault_app, [*args, "PERSON_aa11"])
    assert wrong.exit_code == 1 and "does not open" in wrong.stderr and "x" * 40 not in wrong.output
