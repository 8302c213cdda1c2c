"""flask blacklist: record expired listings and tell their agencies; run the automatic rules."""

import click
from flask.cli import AppGroup

from blacklist import rules, services
from registry.dates import local_today
from registry.db import db

blacklist_cli = AppGroup("blacklist", help="The blacklist: expiries and automatic proposals.")


@blacklist_cli.command("expire")
def expire() -> None:
    """Record `expired` for listings whose term ended, and notify their agencies.

    The listings stopped counting when their last day passed; this records it. Running it
    again does nothing new.
    """
    cases = services.record_expiries(local_today())
    db.session.commit()
    for case in cases:
        click.echo(
            f"case {case.id}: {case.agency.credit_code} {case.agency.name} "
            f"listed until {case.listed_until.isoformat()}: recorded expired"
        )
    click.echo(f"{len(cases)} listing(s) recorded expired.")


@blacklist_cli.command("scan")
def scan() -> None:
    """Apply the automatic rules (config BLACKLIST_RULES) to every agency with recent
    evidence; each proposes a case for a regulator, never a listing. Idempotent."""
    cases = rules.scan_all(local_today())
    db.session.commit()
    for case in cases:
        click.echo(
            f"case {case.id}: {case.agency.credit_code} {case.agency.name} "
            f"proposed by rule {case.source}"
        )
    click.echo(f"{len(cases)} case(s) proposed.")
