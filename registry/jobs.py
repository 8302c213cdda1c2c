"""flask jobs daily: the nightly work, one step after another, each in its own transaction.

Every status that depends on dates is already computed from the stored dates when asked
(DESIGN §10); these steps only record what the dates imply and send the notices. Each step
is idempotent, so running the job twice in a day sends nothing twice: escalations are
recorded once per item and due date, notices carry dedupe keys, expiries are recorded once,
and the recompute stores a snapshot only where a result changed.

A step that fails is rolled back and reported; the others still run, and the command exits
with status 1 so that cron mails the operator.

    15 1 * * * cd /srv/registry && .venv/bin/flask jobs daily
"""

import sys
from collections.abc import Callable
from datetime import date

import click
from flask.cli import AppGroup

from registry.accounts.permissions import SYSTEM
from registry.dates import local_today
from registry.db import db

jobs_cli = AppGroup("jobs", help="Scheduled work: run `flask jobs daily` once a day from cron.")


def escalate(today: date) -> str:
    from registry.supervision.escalation import escalate_overdue

    escalated = escalate_overdue(SYSTEM, today)
    return f"{len(escalated)} overdue item(s) escalated to the reviewers"


def commitment_lapse_notices(today: date) -> str:
    from registry.commitments.services import send_lapse_notices

    return f"lapse notices sent to {send_lapse_notices(today)} agencies"


def blacklist_expiries(today: date) -> str:
    from blacklist.services import record_expiries

    return f"{len(record_expiries(today))} listing(s) recorded expired"


def engagement_overdue_notices(today: date) -> str:
    from ratings.engagements.services import send_overdue_notices

    return f"overdue notices sent for {send_overdue_notices(today)} engagement(s)"


def rating_recompute(today: date) -> str:
    from ratings.results.recompute import recompute_all

    report = recompute_all(today, read_ahead=True)  # the steps before it committed
    return f"rated {report.total} agencies as of {today.isoformat()}: {report.changed} changed"


# In order: escalation first, on the day's deadlines before anything moves; the recompute
# last, after expiries changed who is listed.
DAILY: list[tuple[str, Callable[[date], str]]] = [
    ("escalation", escalate),
    ("commitment lapse notices", commitment_lapse_notices),
    ("blacklist expiries", blacklist_expiries),
    ("engagement overdue notices", engagement_overdue_notices),
    ("rating recompute", rating_recompute),
]


def run_daily(today: date, echo: Callable[[str], None] = click.echo) -> int:
    """Run every step for the day; return how many failed."""
    failed = 0
    for name, step in DAILY:
        try:
            summary = step(today)
            db.session.commit()
        except Exception as error:  # one failing step must not stop the others
            db.session.rollback()
            failed += 1
            echo(f"{name}: FAILED: {type(error).__name__}: {error}")
            continue
        echo(f"{name}: {summary}")
    return failed


@jobs_cli.command("daily")
def daily() -> None:
    """Escalate overdue work, send lapse notices, record blacklist expiries, send overdue
    engagement notices and recompute the ratings. Idempotent: safe to run again."""
    today = local_today()
    click.echo(f"Daily jobs for {today.isoformat()}:")
    failed = run_daily(today)
    if failed:
        click.echo(f"{failed} step(s) failed.", err=True)
        sys.exit(1)
    click.echo("All steps done.")
