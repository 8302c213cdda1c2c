"""flask ratings: recompute every agency's rating, or check the stored results."""

import sys
from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from ratings.results import recompute
from registry.agencies.models import Agency
from registry.dates import local_today
from registry.db import db

ratings_cli = AppGroup("ratings", help="Star ratings: the full recompute and its check.")


@ratings_cli.command("recompute")
@click.option("--check", "checking", is_flag=True, help="Only compare; change nothing.")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day to rate as of (YYYY-MM-DD); today by default.",
)
def recompute_command(checking: bool, as_of) -> None:
    """Recompute every agency's rating as of a day, storing a snapshot where it changed.

    With --check, compare each stored result with a fresh computation as of the stored
    result's own date; list the agencies that differ and exit with status 1 if any do.
    """
    if checking:
        if as_of is not None:
            raise click.UsageError("--check uses each result's own date; leave out --as-of.")
        _check()
        return
    day: date = as_of.date() if as_of else local_today()
    with _progress("Rating agencies") as bar:
        report = recompute.recompute_all(day, progress=bar.update, read_ahead=True)
    db.session.commit()
    click.echo(f"Rated {report.total} agencies as of {day.isoformat()}: {report.changed} changed.")


def _check() -> None:
    with _progress("Checking ratings") as bar:
        mismatches = recompute.check(progress=bar.update, read_ahead=True)
    db.session.rollback()
    for mismatch in mismatches:
        day = mismatch.as_of.isoformat() if mismatch.as_of else "-"
        click.echo(f"{mismatch.credit_code} as of {day}: {'; '.join(mismatch.problems)}")
    if mismatches:
        click.echo(f"{len(mismatches)} stored result(s) differ.", err=True)
        sys.exit(1)
    click.echo("Every stored result matches a fresh computation.")


def _progress(label: str):
    """A progress bar on stderr, so that the summary on stdout stays machine-readable."""
    return click.progressbar(
        label=label, length=_agency_count(), file=click.get_text_stream("stderr")
    )


def _agency_count() -> int:
    return db.session.execute(select(func.count()).select_from(Agency)).scalar_one()
