"""The `fieldapp` command (Flask CLI): init, import-addresses, create-user, demo, db upgrade, run."""
from __future__ import annotations

import os
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import create_app
from .db import get_engine, get_session, write_transaction


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def main():
    """fieldapp: outreach records per street, offline too."""


def migrate() -> None:
    from .migrations.runner import upgrade

    upgrade(get_engine())


def init_database() -> int:
    """Migrate to the newest schema and add the standard partners; returns partners added."""
    from .accounts.operations import ensure_standard_partners

    migrate()
    session = get_session()
    with write_transaction(session):
        return ensure_standard_partners(session)


@main.command("init")
@with_appcontext
def init_command():
    """Create or migrate the schema and add the standard partners."""
    added = init_database()
    click.echo(f"Database ready at {current_app.config['DATABASE_URL'].split('@')[-1]}; {added} partner(s) added.")


@main.group("db")
def db_group():
    """Schema migrations."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade():
    """Migrate the database to the newest schema (run on every deploy)."""
    migrate()
    click.echo("Database is at the newest schema.")


@main.command("import-addresses")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
@with_appcontext
def import_addresses_command(csv_file):
    """Import streets and addresses from a BAG-style CSV (re-import updates)."""
    from .records.operations import link_records
    from .streets.importer import HeaderError, import_addresses

    session = get_session()
    lines = sum(1 for _ in csv_file) - 1
    csv_file.seek(0)
    try:
        with write_transaction(session):
            with click.progressbar(length=max(lines, 0), label="Importing addresses", file=sys.stderr) as bar:
                def progress(rows):
                    for row in rows:
                        yield row
                        bar.update(1)

                report = import_addresses(session, csv_file, progress)
            report.records_linked = link_records(session, report.street_ids)
    except HeaderError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"{report.created} addresses created, {report.updated} updated, {report.unchanged} unchanged; "
        f"{report.streets_created} new streets; {report.records_linked} earlier records linked; "
        f"{len(report.rejected)} rows rejected."
    )
    for line_no, reason in report.rejected:
        click.echo(f"  line {line_no}: {reason}", err=True)
    if report.rejected:
        sys.exit(3)


@main.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["volunteer", "taalcoach", "coordinator", "admin"]))
@click.option("--partner", "partner_code", required=True, help="partner code, e.g. eas")
@click.option("--neighbourhood", "neighbourhoods", multiple=True, required=True, help="may be repeated")
@with_appcontext
def create_user_command(username, role, partner_code, neighbourhoods):
    """Create a user or update one (password from FIELDAPP_PASSWORD or a prompt)."""
    from .accounts.operations import upsert_user

    password = os.environ.get("FIELDAPP_PASSWORD") or click.prompt("Password", hide_input=True, confirmation_prompt=True)
    session = get_session()
    try:
        with write_transaction(session):
            user = upsert_user(session, username, password, role, partner_code, list(neighbourhoods))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"User {user.username} ({user.role}, {user.partner.code}) is ready.")


@main.command("demo")
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "5000")), show_default="PORT or 5000")
@click.option("--no-serve", is_flag=True, help="seed and print the logins, then stop")
@with_appcontext
def demo_command(port, no_serve):
    """Migrate, seed a synthetic Smitsveen (no real residents) and serve it on 127.0.0.1."""
    from .demo.seed import seed_demo

    init_database()
    password = os.environ.get("FIELDAPP_DEMO_PASSWORD")
    generated = not password
    summary = seed_demo(get_session(), password)
    click.echo(summary.describe())
    if generated:
        click.echo("(password generated for this run; set FIELDAPP_DEMO_PASSWORD to choose one)")
    if no_serve:
        return
    url = f"http://127.0.0.1:{port}"
    click.echo(f"\nfieldapp demo running at {url}  (Ctrl+C stops it)\n")
    current_app.run(host="127.0.0.1", port=port, threaded=True, use_reloader=False)
