"""Federation commands. Mount them on the main app with `register(app)`.

`aiflab node init|serve|token create|token revoke`, `aiflab publish recipe|pool|withdraw`,
`aiflab peer add|list|sync|trust`, `aiflab pull NAME@peer`, `aiflab search "query"`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from aiflab.errors import AiflabError

if TYPE_CHECKING:
    from aiflab.federation.home import NodeHome

Home = Annotated[
    Path | None,
    typer.Option("--home", envvar="AIFLAB_NODE_HOME", help="The node's folder (default ~/.aiflab/node)."),
]
Licence = Annotated[str, typer.Option("--license", help="SPDX licence identifier.")]
Access = Annotated[str, typer.Option("--access", help="'open', or 'restricted' (bearer token needed).")]
Purpose = Annotated[
    list[str] | None, typer.Option("--purpose", help="Allowed purpose (repeatable); default: any purpose.")
]
NoReid = Annotated[
    bool,
    typer.Option(
        "--no-reidentification/--allow-reidentification",
        help="Prohibit use for re-identifying people (ODRL prohibition).",
    ),
]
Keyword = Annotated[list[str] | None, typer.Option("--keyword", help="Catalog keyword (repeatable).")]

node_app = typer.Typer(help="Create and run this Data Lab's federation node.", no_args_is_help=True)
token_app = typer.Typer(help="Bearer tokens that let peers fetch restricted artefacts.", no_args_is_help=True)
node_app.add_typer(token_app, name="token")
publish_app = typer.Typer(
    help="Publish recipes and pools in the node's catalog, or withdraw them.", no_args_is_help=True
)
peer_app = typer.Typer(help="Peers: other Data Lab nodes, pinned by key fingerprint.", no_args_is_help=True)


def _fail(exc: AiflabError) -> NoReturn:
    typer.secho(f"error {exc}", fg="red", err=True)
    raise typer.Exit(1)


def _home(home: Path | None) -> NodeHome:
    from aiflab.federation.home import NodeHome

    return NodeHome.open(home)


@node_app.command("init")
def node_init(
    name: Annotated[str, typer.Option(help="The node's name, as peers see it.")],
    url: Annotated[str, typer.Option(help="The public base URL of the node.")] = "http://127.0.0.1:8765",
    home: Home = None,
) -> None:
    """Create a node: Ed25519 key (mode 0600), data folders and the SQLite state."""
    from aiflab.federation.home import NodeHome, default_home

    try:
        node = NodeHome.init(home or default_home(), name, url)
    except AiflabError as exc:
        _fail(exc)
    typer.echo(
        f"node {node.name} in {node.root}\nfingerprint {node.fingerprint}\n"
        "give the fingerprint to your peers' operators through a channel you trust"
    )


@node_app.command("serve")
def node_serve(
    host: Annotated[
        str, typer.Option(help="Address to bind; keep 127.0.0.1 behind a proxy or connector.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8765,
    public_url: Annotated[
        str | None, typer.Option(help="Base URL in the catalog (default: the node's).")
    ] = None,
    home: Home = None,
) -> None:
    """Serve the catalog (DCAT-AP, Dataspace Protocol), artefacts and search until interrupted."""
    from aiflab.federation.server import serve

    try:
        node = _home(home)
        node.private_key()
    except AiflabError as exc:
        _fail(exc)
    typer.echo(f"node {node.name} on http://{host}:{port}", err=True)
    serve(node, host, port, public_url)


@token_app.command("create")
def token_create(
    peer: Annotated[str, typer.Option(help="Who the token is for (logged with every access).")],
    days: Annotated[int, typer.Option(help="Days of validity; 0 for no expiry.")] = 365,
    home: Home = None,
) -> None:
    """Create a bearer token; it is printed once and stored only as its hash."""
    from aiflab.federation.tokens import create_token

    try:
        token = create_token(_home(home), peer, days or None)
    except AiflabError as exc:
        _fail(exc)
    typer.echo(token)
    typer.echo(f"token for {peer}: shown once; hand it over through a channel you trust", err=True)


@token_app.command("revoke")
def token_revoke(
    peer: Annotated[str, typer.Option(help="Revoke every token of this peer.")], home: Home = None
) -> None:
    """Revoke every token issued to a peer."""
    from aiflab.federation.tokens import revoke_tokens

    try:
        count = revoke_tokens(_home(home), peer)
    except AiflabError as exc:
        _fail(exc)
    typer.echo(f"revoked {count} token(s) of {peer}")


@publish_app.command("recipe")
def publish_recipe(
    recipe: Annotated[Path, typer.Argument(help="The recipe YAML file.", exists=True, dir_okay=False)],
    name: Annotated[str | None, typer.Option(help="Catalog name (default: the recipe's name).")] = None,
    license: Licence = "Apache-2.0",
    access: Access = "open",
    purpose: Purpose = None,
    no_reidentification: NoReid = True,
    keyword: Keyword = None,
    home: Home = None,
) -> None:
    """Publish a recipe (checked first) as a signed, content-addressed artefact."""
    from aiflab.federation.artefacts import publish_recipe as publish
    from aiflab.federation.policy import UsagePolicy

    try:
        policy = UsagePolicy(license, access, tuple(purpose or ()), no_reidentification)
        artefact = publish(_home(home), recipe, policy, name, tuple(keyword or ()))
    except AiflabError as exc:
        _fail(exc)
    typer.echo(f"published recipe {artefact.name} {artefact.id}")


@publish_app.command("pool")
def publish_pool(
    folder: Annotated[Path, typer.Argument(help="The pool folder.", exists=True, file_okay=False)],
    name: Annotated[str | None, typer.Option(help="Catalog name (default: the folder's name).")] = None,
    description: Annotated[str, typer.Option(help="What the pool holds.")] = "",
    license: Licence = "CC-BY-4.0",
    access: Access = "open",
    purpose: Purpose = None,
    no_reidentification: NoReid = True,
    keyword: Keyword = None,
    home: Home = None,
) -> None:
    """Publish every file of a pool folder as a signed, content-addressed artefact."""
    from aiflab.federation.artefacts import publish_pool as publish
    from aiflab.federation.policy import UsagePolicy

    try:
        policy = UsagePolicy(license, access, tuple(purpose or ()), no_reidentification)
        artefact = publish(_home(home), folder, policy, name, description, tuple(keyword or ()))
    except AiflabError as exc:
        _fail(exc)
    typer.echo(f"published pool {artefact.name} {artefact.id} ({artefact.total_bytes:,} bytes)")


@publish_app.command("withdraw")
def publish_withdraw(
    ref: Annotated[str, typer.Argument(help="Name or id of a published artefact.")],
    reason: Annotated[str, typer.Option(help="Why (peers are told).")] = "withdrawn by the publisher",
    home: Home = None,
) -> None:
    """Withdraw an artefact: its files go, a signed tombstone tells peers on their next sync."""
    from aiflab.federation.artefacts import unpublish

    try:
        artefact = unpublish(_home(home), ref, reason)
    except AiflabError as exc:
        _fail(exc)
    typer.echo(f"withdrew {artefact.kind} {artefact.name} {artefact.id}")


@peer_app.command("add")
def peer_add(
    url: Annotated[str, typer.Argument(help="The peer's base URL.")],
    key: Annotated[str, typer.Option(help="The peer's key fingerprint, sha256:..., from its operator.")],
    name: Annotated[str | None, typer.Option(help="Local name (default: the name the peer gives).")] = None,
    token: Annotated[
        str | None, typer.Option(help="Where its bearer token is: 'env:VAR' or 'file:path'.")
    ] = None,
    home: Home = None,
) -> None:
    """Register a peer, after checking it presents the key with this fingerprint."""
    from aiflab.federation.peers import add_peer
    from aiflab.pipeline.secrets import SecretRef

    try:
        if token:
            SecretRef(token)
        peer = add_peer(_home(home), url, key, name, token)
    except AiflabError as exc:
        _fail(exc)
    typer.echo(
        f"added peer {peer.name} {peer.url} (recipes not trusted to run: `aiflab peer trust {peer.name}`)"
    )


@peer_app.command("list")
def peer_list(home: Home = None) -> None:
    """List the peers."""
    from aiflab.federation.peers import list_peers

    try:
        for peer in list_peers(_home(home)):
            typer.echo(
                f"{peer.name}\t{peer.url}\t{peer.fingerprint}\t{'trusted' if peer.trusted else 'untrusted'}"
            )
    except AiflabError as exc:
        _fail(exc)


@peer_app.command("trust")
def peer_trust(
    name: Annotated[str, typer.Argument(help="The peer.")],
    revoke: Annotated[bool, typer.Option("--revoke", help="Stop trusting it.")] = False,
    home: Home = None,
) -> None:
    """Trust a peer's key to run its recipes (check the fingerprint with its operator first)."""
    from aiflab.federation.peers import trust_peer

    try:
        peer = trust_peer(_home(home), name, not revoke)
    except AiflabError as exc:
        _fail(exc)
    typer.echo(f"peer {peer.name} {peer.fingerprint}: {'trusted' if peer.trusted else 'not trusted'}")


@peer_app.command("sync")
def peer_sync(
    names: Annotated[list[str] | None, typer.Argument(help="Peers to sync (default: all).")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds per request.")] = 10.0,
    home: Home = None,
) -> None:
    """Fetch the peers' catalogs (only when changed), verify them, act on withdrawals."""
    from aiflab.federation.peers import sync

    try:
        reports = sync(_home(home), names, timeout)
    except AiflabError as exc:
        _fail(exc)
    for report in reports:
        typer.echo(
            f"{report.peer}: {report.status}"
            + (f", {report.datasets} artefacts" if report.datasets else "")
            + (f" ({report.error})" if report.error else "")
        )
        for line in report.withdrawn:
            typer.echo(f"  withdrawn: {line}")
        for line in report.rejected:
            typer.secho(f"  rejected: {line}", fg="red")
    if any(report.status == "failed" for report in reports):
        raise typer.Exit(1)


def pull(
    ref: Annotated[str, typer.Argument(help="NAME@peer or sha256:<id>@peer.")],
    out: Annotated[
        Path | None, typer.Option(help="Also copy the files here (recipes: trusted peers only).")
    ] = None,
    max_bytes: Annotated[int, typer.Option(help="Refuse artefacts larger than this.")] = 64 << 30,
    home: Home = None,
) -> None:
    """Pull an artefact from a peer: verify its signature and every hash, then register it."""
    from aiflab.federation.pull import export
    from aiflab.federation.pull import pull as pull_artefact

    try:
        node = _home(home)
        artefact = pull_artefact(node, ref, max_bytes)
        typer.echo(f"pulled {artefact.kind} {artefact.name} {artefact.id} from {artefact.origin}, verified")
        if out is not None:
            for path in export(node, artefact, out):
                typer.echo(f"  wrote {path}")
    except AiflabError as exc:
        _fail(exc)


def search(
    query: Annotated[str, typer.Argument(help="Words to look for.")],
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each peer.")] = 2.0,
    offline: Annotated[bool, typer.Option(help="Only the local and cached catalogs.")] = False,
    home: Home = None,
) -> None:
    """Search the local catalog, cached peer catalogs, and the peers themselves (pool contents too)."""
    from aiflab.federation.search import search as run_search

    try:
        result = run_search(_home(home), query, timeout, live=not offline)
    except AiflabError as exc:
        _fail(exc)
    for hit in result.hits:
        extra = f" {hit['file']}: {hit['snippet']}" if hit["match"] == "content" else ""
        typer.echo(f"{hit['kind']}\t{hit['name']}\t{hit['where']}\t{hit['id'][:19]}…{extra}")
    for peer, why in result.unreachable.items():
        typer.secho(f"peer {peer}: {why}", fg="yellow", err=True)


def register(app: typer.Typer) -> None:
    """Add the federation commands to the `aiflab` app."""
    app.add_typer(node_app, name="node")
    app.add_typer(publish_app, name="publish")
    app.add_typer(peer_app, name="peer")
    app.command("pull")(pull)
    app.command("search")(search)
