"""flask commitments: rotate the receipt signing key, send lapse notices."""

import click
from flask.cli import AppGroup

from registry.accounts.permissions import SYSTEM
from registry.commitments import keys, services
from registry.dates import local_today
from registry.db import db

commitments_cli = AppGroup("commitments", help="Commitment letters: signing keys and notices.")


@commitments_cli.command("rotate-key")
def rotate_key() -> None:
    """Sign new receipts with a new key; every earlier key stays published for verification.

    The new private key replaces the key file (SIGNING_KEY_FILE, or the instance folder's
    signing_key.pem). With several app hosts, give every host the new file.
    """
    key_id = services.rotate_signing_key(SYSTEM)
    db.session.commit()
    click.echo(f"New signing key {key_id} written to {keys.key_file()}; earlier keys retired.")


@commitments_cli.command("notify")
def notify() -> None:
    """Tell agencies whose signature stops counting within the notice period (once each)."""
    sent = services.send_lapse_notices(local_today())
    db.session.commit()
    click.echo(f"Lapse notices sent to {sent} agencies.")
