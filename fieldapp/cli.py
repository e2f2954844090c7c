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
@click.option("--languages", default=None, help="languages the user speaks, ISO 639-1, e.g. nl,ti")
@with_appcontext
def create_user_command(username, role, partner_code, neighbourhoods, languages):
    """Create a user or update one (password from FIELDAPP_PASSWORD or a prompt).

    Coordinators and admins get a second factor: the TOTP secret in FIELDAPP_TOTP_SECRET (base32),
    or a generated one that is printed with one-time recovery codes.
    """
    from . import audit
    from .accounts.operations import enrol_totp, password_problem, upsert_user

    password = os.environ.get("FIELDAPP_PASSWORD") or click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password, username)
    if problem:
        raise click.ClickException(problem)
    session = get_session()
    secret = codes = None
    try:
        with write_transaction(session):
            spoken = [code.strip().lower() for code in languages.split(",") if code.strip()] if languages is not None else None
            user = upsert_user(session, username, password, role, partner_code, list(neighbourhoods), spoken)
            if user.needs_second_factor:
                secret, codes = enrol_totp(session, user, os.environ.get("FIELDAPP_TOTP_SECRET") or None)
            audit.add(session, "user_changed", actor=audit.NOBODY, **_operator(), user_id=user.id, username=username,
                      role=role, neighbourhoods=list(neighbourhoods), languages=user.spoken_languages)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"User {user.username} ({user.role}, {user.partner.code}) is ready.")
    if secret:
        if os.environ.get("FIELDAPP_TOTP_SECRET"):
            click.echo("Second factor: the TOTP secret from FIELDAPP_TOTP_SECRET.")
        else:
            click.echo(f"Second factor: add this TOTP secret to an authenticator app: {secret}")
        click.echo("Recovery codes (each works once; shown only now): " + "  ".join(codes))


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
    serve(port, "demo")


def serve(port: int, what: str) -> None:
    """Serve the app on loopback in the foreground until Ctrl+C.

    Not `app.run()`: inside a Flask CLI command Flask ignores that call (it would block the
    command), so the demo used to seed, print its URL and exit without ever serving.
    """
    from werkzeug.serving import run_simple

    url = f"http://127.0.0.1:{port}"
    click.echo(f"\nfieldapp {what} running at {url}  (Ctrl+C stops it)\n")
    run_simple("127.0.0.1", port, current_app._get_current_object(), threaded=True, use_reloader=False)


def _operator() -> dict:
    """Who ran a command: the audit log has no signed-in user for it, so keep the system account."""
    import getpass

    try:
        return {"via": "cli", "operator": getpass.getuser()}
    except (KeyError, OSError):
        return {"via": "cli"}


def _address_options(command):
    for option in reversed([
        click.option("--neighbourhood", required=True),
        click.option("--street", required=True),
        click.option("--number", type=int, required=True),
        click.option("--addition", default="", show_default=False),
        click.option("--reference", default=None, help="the request's reference (ticket, letter), kept in the audit log"),
    ]):
        command = option(command)
    return command


@main.command("retention")
@click.option("--months", type=int, default=None, help="default FIELDAPP_RETENTION_MONTHS (24)")
@with_appcontext
def retention_command(months):
    """Remove house numbers, additions and notes from records older than the retention period."""
    from . import audit
    from .privacy.operations import apply_retention

    months = months if months is not None else current_app.config["RETENTION_MONTHS"]
    if months < 1:
        raise click.ClickException("the retention period must be at least 1 month")
    session = get_session()
    with write_transaction(session):
        result = apply_retention(session, months)
        audit.add(session, "retention_run", actor=audit.NOBODY, **_operator(), months=months, cutoff=result.cutoff.isoformat(),
                  anonymised=result.anonymised, kept_for_open_referral=result.kept_for_open_referral)
    click.echo(f"Records before {result.cutoff:%Y-%m-%d}: {result.anonymised} anonymised, "
               f"{result.kept_for_open_referral} kept for an open referral.")


@main.command("rebuild-tallies")
@with_appcontext
def rebuild_tallies_command():
    """Recount the all-time dashboard tallies from the records, and which installed measures
    start a home's day (after loading records directly into the database, e.g. from a restored
    dump of an older version)."""
    from sqlalchemy import func, select

    from .dashboard import tallies
    from .savings.measures import recount_homes

    session = get_session()
    with write_transaction(session):
        tallies.rebuild(session)
        recount_homes(session)
        rows = session.scalar(select(func.count()).select_from(tallies.T))
    click.echo(f"Tallies rebuilt: {rows} address rows.")


def _address_or_exit(session, neighbourhood, street, number, addition):
    """The register's address for a resident's request, or a clear message and exit status 1."""
    from .privacy.operations import find_address

    try:
        return find_address(session, neighbourhood, street, number, addition)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None


@main.command("export-address")
@_address_options
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-", help="file, default standard output")
@with_appcontext
def export_address_command(neighbourhood, street, number, addition, reference, output):
    """Everything stored about one address, as JSON (a resident's access request)."""
    import json

    from . import audit
    from .privacy.operations import export_address

    session = get_session()
    ref = _address_or_exit(session, neighbourhood, street, number, addition)
    data = export_address(session, ref)
    with write_transaction(session):
        audit.add(session, "address_exported", actor=audit.NOBODY, **_operator(), street_id=ref.street.id, records=len(data["records"]),
                  reference=reference)
    json.dump(data, output, ensure_ascii=False, indent=2)
    output.write("\n")


@main.command("erase-address")
@_address_options
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
@with_appcontext
def erase_address_command(neighbourhood, street, number, addition, reference, yes):
    """Erase a resident's data: strip the address and notes from every record at it (kept as anonymous contacts)."""
    from . import audit
    from .privacy.operations import erase_address

    session = get_session()
    ref = _address_or_exit(session, neighbourhood, street, number, addition)
    if not yes:
        click.confirm(f"Erase the data of {street} {number}{addition} in {neighbourhood}?", abort=True)
    with write_transaction(session):
        result = erase_address(session, ref)
        audit.add(session, "address_erased", actor=audit.NOBODY, **_operator(), street_id=ref.street.id, records=result.records,
                  referrals_withdrawn=result.referrals_withdrawn, reference=reference)
    click.echo(f"{result.records} record(s) anonymised, {result.referrals_withdrawn} open referral(s) withdrawn.")


@main.command("backup")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=None,
              help="where backups go, default FIELDAPP_BACKUP_DIR or instance/backups")
@click.option("--keep-days", type=int, default=None,
              help="remove backups older than this many days, default FIELDAPP_BACKUP_KEEP_DAYS (35)")
@with_appcontext
def backup_command(directory, keep_days):
    """Back the database up (SQLite: the online backup API; PostgreSQL: pg_dump) with the dashboard's
    figures beside it, and remove backups older than the keep period."""
    from pathlib import Path

    from . import backup

    directory = Path(directory or os.environ.get("FIELDAPP_BACKUP_DIR") or Path(current_app.instance_path) / "backups")
    keep_days = keep_days if keep_days is not None else int(os.environ.get("FIELDAPP_BACKUP_KEEP_DAYS", "35"))
    if keep_days < 1:
        raise click.ClickException("keep backups at least 1 day")
    made = backup.backup(current_app.config["DATABASE_URL"], directory)
    removed = backup.prune(directory, keep_days)
    click.echo(f"Backup written: {made} ({made.stat().st_size} bytes); "
               f"{len([p for p in removed if p.suffix != '.json'])} older than {keep_days} days removed.")


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="restore over a database that is not empty")
@with_appcontext
def restore_command(file, replace):
    """Restore a backup into the configured database (a new, empty one unless --replace) and check
    that it answers the dashboard exactly as the database did when the backup was made."""
    from pathlib import Path

    from . import backup

    get_engine().dispose()  # no connection of this process in the way
    try:
        checked = backup.restore(current_app.config["DATABASE_URL"], Path(file), replace=replace)
    except (RuntimeError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from None
    if not checked.identical:
        for line in checked.differences[:20]:
            click.echo(f"  {line}", err=True)
        raise click.ClickException(f"restored, but the dashboard differs in {len(checked.differences)} place(s)")
    click.echo(f"Restored {file}: {checked.records} records; the dashboard of {checked.streets} streets "
               "answers exactly as when the backup was made.")


def _add_translations_commands() -> None:
    from .translations_review.commands import translations_group

    main.add_command(translations_group)


_add_translations_commands()
