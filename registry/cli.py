"""flask commands for operators: accounts, the audit chain, demo data, translations."""

import contextlib
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from registry.accounts import services as accounts
from registry.accounts.models import Account
from registry.accounts.permissions import SYSTEM
from registry.accounts.roles import Role
from registry.agencies.cli import agencies_cli, demo_generate, demo_load
from registry.audit.services import verify_chain
from registry.commitments.cli import commitments_cli
from registry.config import PROJECT_ROOT
from registry.db import db, reading_only

accounts_cli = AppGroup("accounts", help="Create and list accounts.")
audit_cli = AppGroup("audit", help="Check the tamper-evident audit log.")
demo_cli = AppGroup("demo", help="Demo data (demo mode only).")
translations_cli = AppGroup("translations", help="Keep the zh_CN and en catalogues up to date.")
demo_cli.add_command(demo_load)
demo_cli.add_command(demo_generate)

DEMO_ACCOUNTS = [
    ("admin@example.com", "Demo Administrator", Role.ADMIN),
    ("regulator@example.com", "Demo Regulator", Role.REGULATOR),
    ("reviewer@example.com", "Demo Reviewer", Role.REVIEWER),
    ("agency@example.com", "Demo Agency User", Role.AGENCY),
    ("enterprise@example.com", "Demo Enterprise User", Role.ENTERPRISE),
    ("supervisor@example.com", "Demo Supervisor", Role.SUPERVISOR),
    ("public@example.com", "Demo Member of the Public", Role.PUBLIC),
]


@accounts_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", "display_name", help="Display name (defaults to the email).")
@click.password_option(help="Prompted for if not given.")
@click.option(
    "--temporary/--permanent",
    default=False,
    help="Whether the holder must change the password at first sign-in.",
)
def create_account(email, role, display_name, password, temporary):
    """Create an account with the given role."""
    try:
        account = accounts.create_account(
            SYSTEM,
            email=email,
            display_name=display_name or email,
            role=role,
            password=password,
            must_change_password=temporary,
        )
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {account.email} ({account.role}).")


@accounts_cli.command("list")
def list_accounts():
    """List every account with its role and state."""
    for account in db.session.execute(select(Account).order_by(Account.email)).scalars():
        state = "active" if account.active else "disabled"
        click.echo(f"{account.email}\t{account.role}\t{state}")


@audit_cli.command("verify")
def verify_audit():
    """Exit 0 if the audit chain is intact, 1 naming the first broken event if not."""
    with reading_only():
        report = verify_chain(progress=lambda n: click.echo(f"  checked {n} events…", err=True))
    if report.intact:
        click.echo(f"Audit chain intact: {report.checked} events, head {report.head_hash}.")
        return
    click.echo(f"Audit chain BROKEN at event {report.broken_seq}: {report.problem}.", err=True)
    click.echo(f"{report.checked} events before it are intact.", err=True)
    sys.exit(1)


@demo_cli.command("accounts")
def demo_accounts():
    """Create the demo accounts that are missing (password from DEMO_PASSWORD)."""
    if not current_app.config["DEMO_MODE"]:
        raise click.ClickException("Demo accounts are created only in demo mode (DEMO_MODE=1).")
    password = current_app.config["DEMO_PASSWORD"]
    created = 0
    for email, name, role in DEMO_ACCOUNTS:
        if accounts.find_account(email) is None:
            accounts.create_account(
                SYSTEM,
                email=email,
                display_name=name,
                role=role,
                password=password,
                must_change_password=False,
            )
            created += 1
    db.session.commit()
    click.echo(f"Demo accounts: {created} created, {len(DEMO_ACCOUNTS) - created} already there.")
    for email, _name, role in DEMO_ACCOUNTS:
        click.echo(f"  {role.value:<11} {email}  /  {password}")


@translations_cli.command("update")
def update_translations():
    """Extract messages, merge them into both catalogues, and fill en from the source."""
    catalogues = PROJECT_ROOT / "registry" / "translations"
    pot = catalogues / "messages.pot"
    _pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "--no-location",
        "--sort-output",
        "--ignore-dirs",
        ".*",
        "-o",
        str(pot),
        ".",
    )
    _pybabel(
        "update", "-i", str(pot), "-d", str(catalogues), "--no-fuzzy-matching", "--ignore-obsolete"
    )
    fill_english(catalogues / "en" / "LC_MESSAGES" / "messages.po")


@translations_cli.command("compile")
def compile_translations():
    """Compile the catalogues to .mo files."""
    _pybabel("compile", "-d", str(PROJECT_ROOT / "registry" / "translations"))


def fill_english(path) -> None:
    """English is the source language: each en message translates to itself."""
    from babel.messages.pofile import read_po, write_po

    with open(path, "rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if message.pluralizable and not all(message.string):
            message.string = tuple(message.id)
        elif message.id and not message.string:
            message.string = message.id
        if message.id:
            message.flags.discard("fuzzy")
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False)


def _pybabel(*args: str) -> None:
    from babel.messages.frontend import CommandLineInterface

    with contextlib.chdir(PROJECT_ROOT):
        CommandLineInterface().run(["pybabel", "--quiet", *args])


def register(app: Flask) -> None:
    for group in (
        accounts_cli,
        agencies_cli,
        audit_cli,
        commitments_cli,
        demo_cli,
        translations_cli,
    ):
        app.cli.add_command(group)
