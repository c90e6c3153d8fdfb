"""The `vnetlab` command line (SPEC §10): simulate and validate lab documents."""

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from app.config import Settings, get_settings
from app.engine.document import LabDocument
from app.engine.ipconfig import Layout, Locale
from app.engine.loading import LabDocumentError, format_for_path, lab_from_text
from app.engine.simulate import Simulation
from app.report import render_table
from app.runtime import settle_collector, share_the_interpreter_lock

cli = typer.Typer(
    name="vnetlab",
    help="Design and simulate the virtual networks of Virtual PC, Virtual Server and Hyper-V labs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    IPCONFIG = "ipconfig"


USAGE_ERROR = 2  # what the option parser exits with; vnetlab reports all bad input as 1


class CommandError(Exception):
    """A problem with what the user gave us: reported on stderr, exit status 1."""


FileArgument = Annotated[
    Path, typer.Argument(help="A lab document: *.json is read as JSON, anything else as YAML.", show_default=False)
]


def _load(path: Path) -> LabDocument:
    settle_collector()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"{path}: cannot read: {error}") from None
    try:
        return lab_from_text(text, format_for_path(path.name), get_settings().document_caps())
    except LabDocumentError as error:
        raise CommandError("\n".join(f"{path}: {problem}" for problem in error.shown())) from None


@cli.command()
def validate(file: FileArgument) -> None:
    """Check a lab document; print every problem with its place in the document."""
    lab = _load(file)
    vms = sum(len(host.vms) for host in lab.hosts)
    typer.echo(f"{file}: valid lab '{lab.name}': {len(lab.lans)} LAN(s), {len(lab.hosts)} host(s), {vms} VM(s)")


@cli.command()
def simulate(
    file: FileArgument,
    output: Annotated[OutputFormat, typer.Option("--format", help="table for people, json for programs.")] = (
        OutputFormat.TABLE
    ),
    vm: Annotated[str | None, typer.Option(help="A VM name, or host/vm where names repeat.")] = None,
    locale: Annotated[
        Locale, typer.Option(help="ipconfig language: en or ja (Vista and later guests print English either way).")
    ] = Locale.EN,
    layout: Annotated[
        Layout,
        typer.Option(
            help="ipconfig layout of Windows XP-family guests: xp, or seed (the seed article's). "
            "Vista and later guests have one layout and ignore it."
        ),
    ] = Layout.XP,
) -> None:
    """Work out addresses and reachability; print them as a table, JSON or ipconfig /all.

    ipconfig prints what the VM's guest OS prints: Windows XP's text for Windows 2000, XP, Server 2003,
    linux and other; Windows Vista's, 7's or Server 2008 R2's for those (`os` in the lab document)."""
    lab = _load(file)
    simulation = Simulation(lab)
    if output == OutputFormat.JSON:
        if vm is not None:
            raise CommandError("--vm narrows table and ipconfig output; --format json is always the whole result")
        typer.echo(simulation.result().to_json())
        return
    refs = [_vm_ref(simulation, vm)] if vm is not None else simulation.vm_refs()
    if output == OutputFormat.IPCONFIG:
        for ref in refs:
            if len(refs) > 1:
                typer.echo(f"==== {ref} ====")
            typer.echo(simulation.ipconfig(ref, locale, layout), nl=False)
        return
    typer.echo(render_table(simulation.result(), refs[0] if vm is not None else None), nl=False)


@cli.command()
def serve(
    host: Annotated[
        str | None,
        typer.Option(help="Address to listen on; 0.0.0.0 for every interface. [default: VNETLAB_HOST or 127.0.0.1]"),
    ] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="TCP port. [default: VNETLAB_PORT or 8000]")
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes; more than one uses more cores (see app/workers.py).")
    ] = 1,
) -> None:
    """Upgrade the database to the newest schema, then serve the web app and the REST API."""
    import uvicorn

    from app.access.logs import logging_config
    from app.db.migrate import upgrade_database
    from app.main import create_app

    settings = get_settings()
    host = settings.host if host is None else host
    port = settings.port if port is None else port
    try:
        upgrade_database(settings.database_url)
    except Exception as error:
        raise CommandError(f"cannot prepare the database at {settings.database_url}: {error}") from None
    typer.echo(f"vnetlab: database ready ({settings.database_url}); serving on http://{host}:{port}", err=True)
    announce_admin_link(settings.model_copy(update={"host": host, "port": port}))
    # Browsers keep a connection for minutes; uvicorn's default 5 s closed it between a student's drops, and a new
    # connection cost the server more CPU than a drop's HTTP work itself (bench/load.py).
    options = {
        "host": host,
        "port": port,
        "log_level": "info",
        "log_config": logging_config(),  # the access log never shows a key
        "timeout_keep_alive": 30,
        # Open live views (server-sent events) would otherwise hold a stop up until every viewer left.
        "timeout_graceful_shutdown": 5,
    }
    if workers > 1:  # each worker imports the app factory by name and builds its own app
        uvicorn.run("app.workers:worker_app", factory=True, workers=workers, **options)  # type: ignore[arg-type]
        return
    app = create_app(settings)
    settle_collector()
    share_the_interpreter_lock()
    uvicorn.run(app, **options)  # type: ignore[arg-type]


def announce_admin_link(settings: Settings) -> None:
    """The first start with a made admin token prints the link that opens every lab (like Jupyter's)."""
    from app.access.admin import admin_link, token_to_announce
    from app.db.session import make_engine

    engine = make_engine(settings)
    try:
        token = token_to_announce(engine, settings)
    finally:
        engine.dispose()
    if token is not None:
        typer.echo(
            "vnetlab: this link opens every lab as the admin; it is shown once (`vnetlab admin-link` shows it "
            f"again):\n\n    {admin_link(settings, token)}\n",
            err=True,
        )


@cli.command("admin-link")
def admin_link_command() -> None:
    """Print the admin link (with the admin token that opens every lab) of the database in VNETLAB_DATABASE_URL."""
    from app.access.admin import admin_link, admin_token
    from app.db.migrate import upgrade_database
    from app.db.session import make_engine

    settings = get_settings()
    try:
        upgrade_database(settings.database_url)
    except Exception as error:
        raise CommandError(f"cannot prepare the database at {settings.database_url}: {error}") from None
    engine = make_engine(settings)
    try:
        typer.echo(admin_link(settings, admin_token(engine, settings)))
    finally:
        engine.dispose()


@cli.command()
def healthcheck(timeout: Annotated[float, typer.Option(help="Seconds to wait for an answer.")] = 2.0) -> None:
    """Exit 0 if the server at VNETLAB_HOST:VNETLAB_PORT answers /healthz (the container's HEALTHCHECK)."""
    import http.client

    settings = get_settings()
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(settings.host, settings.host)
    url = f"http://{f'[{host}]' if ':' in host else host}:{settings.port}/healthz"
    try:
        connection = http.client.HTTPConnection(host, settings.port, timeout=timeout)
        try:
            connection.request("GET", "/healthz")
            status = connection.getresponse().status
        finally:
            connection.close()
    except (OSError, http.client.HTTPException) as error:
        raise CommandError(f"{url}: {error}") from None
    if status != 200:
        raise CommandError(f"{url}: answered {status}")
    typer.echo(f"{url}: ok")


def _vm_ref(simulation: Simulation, vm: str) -> str:
    try:
        host, found = simulation.find_vm(vm)
    except LookupError as error:
        raise CommandError(str(error)) from None
    return f"{host.name}/{found.name}"


def main(argv: list[str] | None = None) -> int:
    """Runs the CLI and returns its exit status: 0, or 1 for any bad input (usage errors included)."""
    try:
        cli(args=argv, prog_name="vnetlab")
    except CommandError as error:
        typer.echo(str(error), err=True)
        return 1
    except ValidationError as error:  # a VNETLAB_* setting that is not what its field takes
        if error.title != "Settings":
            raise
        for problem in error.errors(include_url=False):
            name = "VNETLAB_" + "_".join(str(part) for part in problem["loc"]).upper()
            shown = "" if name == "VNETLAB_ADMIN_TOKEN" else f" (got {problem.get('input')!r})"  # a secret
            typer.echo(f"setting {name}: {problem['msg']}{shown}", err=True)
        return 1
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 1
        return 1 if code == USAGE_ERROR else code
    return 0


def run() -> None:
    sys.exit(main())
