"""`fieldapp translations export|status`: the accepted wordings as a `.po`, and the shares."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import get_session
from ..i18n import TRANSLATED


@click.group("translations")
def translations_group():
    """Wordings suggested from the field: export the accepted ones, see each locale's share."""


@translations_group.command("export")
@click.option("--locale", "code", required=True, type=click.Choice(TRANSLATED))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="where to write the .po (default: the locale's catalog under translations/)")
@click.option("--review-file", type=click.Path(dir_okay=False, path_type=Path),
              help="the REVIEW.md whose status row to update (default: translations/REVIEW.md)")
@click.option("--no-review-file", is_flag=True, help="leave REVIEW.md as it is")
@with_appcontext
def export_command(code, output, review_file, no_review_file):
    """Merge the accepted wordings of a locale into its catalog (Babel's reader and writer)."""
    from .export import export_locale

    root = Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])
    review = None if no_review_file else (review_file or root / "REVIEW.md")
    report = export_locale(get_session(), code, output, review if review and review.exists() else None)
    click.echo(f"{report.path}: {report.merged} accepted wording(s) merged; "
               f"{report.reviewed} of {report.strings} strings reviewed by a native speaker ({report.status}).")
    for msgid in report.skipped:
        click.echo(f"skipped (no longer in the catalog, or no longer fits it): {msgid}", err=True)


@translations_group.command("status")
@with_appcontext
def status_command():
    """Each locale's share of strings reviewed by a native speaker."""
    from .operations import shares

    for row in shares(get_session()):
        click.echo(f"{row['locale']}: {row['reviewed']} of {row['strings']} reviewed "
                   f"({100 * row['share']:.0f} %), {row['open']} waiting for review")
