"""The federation commands, mounted the way `aiflab.cli` mounts them."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from aiflab.federation.cli import register


def app() -> typer.Typer:
    main = typer.Typer()
    main.callback()(lambda: None)
    register(main)
    return main


def test_init_publish_token_withdraw(tmp_path: Path, recipe_file: Path, pool_dir: Path) -> None:
    runner, home = CliRunner(), tmp_path / "node"
    result = runner.invoke(app(), ["node", "init", "--name", "lab-x", "--home", str(home)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((home / "node.key").stat().st_mode) == 0o600
    assert "sha256:" in result.output
    again = runner.invoke(app(), ["node", "init", "--name", "lab-x", "--home", str(home)])
    assert again.exit_code == 1 and "already exists" in again.output
    published = runner.invoke(
        app(),
        [
            "publish",
            "recipe",
            str(recipe_file),
            "--home",
            str(home),
            "--purpose",
            "research",
            "--keyword",
            "health",
        ],
    )
    assert published.exit_code == 0 and "published recipe profile-visits sha256:" in published.output
    pool = runner.invoke(
        app(), ["publish", "pool", str(pool_dir), "--access", "restricted", "--home", str(home)]
    )
    assert pool.exit_code == 0, pool.output
    bad = runner.invoke(
        app(), ["publish", "pool", str(pool_dir), "--license", "not a licence", "--home", str(home)]
    )
    assert bad.exit_code == 1 and "SPDX" in bad.output
    token = runner.invoke(app(), ["node", "token", "create", "--peer", "lab-y", "--home", str(home)])
    assert token.exit_code == 0 and token.stdout.startswith("aiflab_")
    assert token.stdout.strip() not in (home / "state.sqlite").read_bytes().decode("latin-1")
    withdrawn = runner.invoke(app(), ["publish", "withdraw", "pool-health", "--home", str(home)])
    assert withdrawn.exit_code == 0 and "withdrew pool pool-health" in withdrawn.output
    found = runner.invoke(app(), ["search", "profile", "--offline", "--home", str(home)])
    assert "profile-visits" in found.output and "pool-health" not in found.output


def test_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    from aiflab.federation.errors import NodeError
    from aiflab.federation.home import NodeHome

    home = NodeHome.init(tmp_path / "node", "lab-z", "http://127.0.0.1:1")
    os.chmod(home.root / "node.key", 0o644)
    try:
        home.private_key()
    except NodeError as exc:
        assert "chmod 600" in str(exc)
    else:
        raise AssertionError("a world-readable key was accepted")


def test_importing_the_commands_does_not_import_the_server_stack() -> None:
    code = (
        "import sys, aiflab.federation.cli; "
        "print(sorted(m for m in ('fastapi', 'uvicorn', 'httpx', 'rdflib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_peer_sync_pull_over_http(nodes, tmp_path: Path, pool_dir: Path, recipe_file: Path) -> None:
    from aiflab.federation.artefacts import publish_pool, publish_recipe
    from aiflab.federation.policy import UsagePolicy

    publisher = nodes.start("lab-a")
    publish_pool(publisher, pool_dir, UsagePolicy())
    publish_recipe(publisher, recipe_file, UsagePolicy())
    runner, home = CliRunner(), str(tmp_path / "lab-b")
    assert runner.invoke(app(), ["node", "init", "--name", "lab-b", "--home", home]).exit_code == 0
    wrong = runner.invoke(
        app(), ["peer", "add", publisher.base_url, "--key", "sha256:" + "1" * 64, "--home", home]
    )
    assert wrong.exit_code == 1 and "presents key" in wrong.output
    added = runner.invoke(
        app(), ["peer", "add", publisher.base_url, "--key", publisher.fingerprint, "--home", home]
    )
    assert added.exit_code == 0, added.output
    synced = runner.invoke(app(), ["peer", "sync", "--home", home])
    assert synced.exit_code == 0 and "lab-a: updated, 2 artefacts" in synced.output
    pulled = runner.invoke(
        app(), ["pull", "pool-health@lab-a", "--out", str(tmp_path / "copy"), "--home", home]
    )
    assert pulled.exit_code == 0, pulled.output
    assert (tmp_path / "copy" / "shards" / "part-0.jsonl").is_file()
    untrusted = runner.invoke(
        app(), ["pull", "profile-visits@lab-a", "--out", str(tmp_path / "r"), "--home", home]
    )
    assert untrusted.exit_code == 1 and "peer trust lab-a" in untrusted.output
    assert runner.invoke(app(), ["peer", "trust", "lab-a", "--home", home]).exit_code == 0
    trusted = runner.invoke(
        app(), ["pull", "profile-visits@lab-a", "--out", str(tmp_path / "r"), "--home", home]
    )
    assert trusted.exit_code == 0 and (tmp_path / "r" / "profile-visits.yaml").is_file()
