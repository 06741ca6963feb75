"""Signed reports verify until one byte of them, or of a file they list, changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiflab.compliance.signing import fingerprint, load_private_key, new_private_key_pem, public_key_of
from aiflab.compliance.verify import verify_report
from aiflab.errors import SecretError
from aiflab.pipeline.recipe import Recipe
from aiflab.pipeline.runner import run

PEM = new_private_key_pem()
FINGERPRINT = fingerprint(public_key_of(load_private_key(PEM)))


@pytest.fixture
def signed_run(make_recipe, people_csv: Path, monkeypatch) -> Path:
    key_file = people_csv.parent / "report.pem"
    key_file.write_bytes(PEM)
    path = make_recipe("  - tests.upper: {column: name}\nreport:\n  signing_key: report_key\n")
    path.write_text(path.read_text().replace("steps:", "secrets:\n  report_key: file:report.pem\nsteps:"))
    run(Recipe.from_yaml(path))
    return people_csv.parent / "out" / "report.json"


def test_signed_report_verifies_with_its_files(signed_run: Path) -> None:
    result = verify_report(signed_run, expected_key=FINGERPRINT)
    assert result.ok, result.checks
    document = json.loads(signed_run.read_text())
    assert document["signature"]["key_fingerprint"] == FINGERPRINT
    assert PEM.decode() not in signed_run.read_text()


def test_wrong_expected_key_fails(signed_run: Path) -> None:
    other = fingerprint(public_key_of(load_private_key(new_private_key_pem())))
    result = verify_report(signed_run, expected_key=other)
    assert not result.ok and "not by the expected key" in str(result.checks)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_changed_byte_fails_verification(signed_run: Path, data: st.DataObject) -> None:
    original = signed_run.read_bytes()
    position = data.draw(st.integers(0, len(original) - 1))
    replacement = data.draw(st.integers(0, 255).filter(lambda b: b != original[position]))
    tampered = signed_run.with_name("tampered.json")
    tampered.write_bytes(original[:position] + bytes([replacement]) + original[position + 1:])
    assert not verify_report(tampered, expected_key=FINGERPRINT).ok


def test_changed_output_fails_and_named_file_is_checked(signed_run: Path) -> None:
    output = signed_run.parent / "people.csv"
    assert verify_report(signed_run, [output]).ok
    output.write_bytes(output.read_bytes().replace(b"ANNA", b"ANNE"))
    result = verify_report(signed_run)
    assert not result.ok and "sha256 differs" in str(result.checks)
    assert not verify_report(signed_run, [output]).ok


def test_unsigned_report_fails_unless_allowed(make_recipe, people_csv: Path) -> None:
    run(Recipe.from_yaml(make_recipe("  - tests.upper: {column: name}\n")))
    report = people_csv.parent / "out" / "report.json"
    assert not verify_report(report).ok
    assert verify_report(report, allow_unsigned=True).ok


def test_bad_signing_key_is_refused_without_showing_it(make_recipe, people_csv: Path, monkeypatch) -> None:
    monkeypatch.setenv("AIFLAB_TEST_SIGNING", "not-a-key-but-a-secret-1234")
    path = make_recipe("  - tests.upper: {column: name}\nreport:\n  signing_key: k\n")
    path.write_text(path.read_text().replace("steps:", "secrets:\n  k: env:AIFLAB_TEST_SIGNING\nsteps:"))
    with pytest.raises(SecretError) as caught:
        run(Recipe.from_yaml(path))
    assert "not-a-key" not in str(caught.value)
    assert not (people_csv.parent / "out").exists()


def test_cli_keygen_and_verify(signed_run: Path, tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    key = tmp_path / "keys" / "lab.pem"
    made = subprocess.run([sys.executable, "-m", "aiflab", "report", "keygen", str(key)],
                          capture_output=True, text=True, env=env)
    assert made.returncode == 0 and "fingerprint sha256:" in made.stdout
    assert key.stat().st_mode & 0o777 == 0o600
    again = subprocess.run([sys.executable, "-m", "aiflab", "report", "keygen", str(key)],
                           capture_output=True, text=True, env=env)
    assert again.returncode == 1
    ok = subprocess.run([sys.executable, "-m", "aiflab", "report", "verify", str(signed_run),
                         "--key", FINGERPRINT], capture_output=True, text=True, env=env)
    assert ok.returncode == 0 and "verified" in ok.stdout
    signed_run.write_text(signed_run.read_text().replace('"rows_in": 3', '"rows_in": 4', 1))
    bad = subprocess.run([sys.executable, "-m", "aiflab", "report", "verify", str(signed_run)],
                         capture_output=True, text=True, env=env)
    assert bad.returncode == 1 and "altered" in bad.stdout


def test_corrupted_key_in_the_file_list_fails_instead_of_crashing(signed_run: Path) -> None:
    """Found by the property test: a changed byte in a key name of the file list."""
    text = signed_run.read_text()
    at = text.index('"sha256": "', text.index('"role": "output"'))
    tampered = signed_run.with_name("tampered.json")
    tampered.write_text(text[:at] + '"sha25X"' + text[at + len('"sha256"'):])
    result = verify_report(tampered, expected_key=FINGERPRINT)
    assert not result.ok and "malformed" in str(result.checks)
