"""The Ed25519 keys that sign receipts.

The private key lives in a file: SIGNING_KEY_FILE when configured (every app host reads
the same file), else `signing_key.pem` in the instance folder, created on first use. Every
public key that ever signed is kept in the database and published, so receipts stay
verifiable after a rotation.
"""

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from registry.commitments.models import SigningKey
from registry.db import db, utcnow

INSTANCE_KEY_FILE = "signing_key.pem"
_loaded: dict[tuple[str, int, int], Ed25519PrivateKey] = {}


class SigningKeyMissing(RuntimeError):
    """SIGNING_KEY_FILE names a file that does not exist: an operator must provide it."""


def key_file() -> Path:
    configured = current_app.config.get("SIGNING_KEY_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / INSTANCE_KEY_FILE


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """The first 16 hex digits of the SHA-256 of the raw public key."""
    return hashlib.sha256(raw_public_key(public_key)).hexdigest()[:16]


def private_key() -> Ed25519PrivateKey:
    """The key that signs now; created in the instance folder on a single host's first use."""
    path = key_file()
    if not path.exists():
        if current_app.config.get("SIGNING_KEY_FILE"):
            raise SigningKeyMissing(f"SIGNING_KEY_FILE {path} does not exist")
        _write_new_key(path, exclusive=True)
    stat = path.stat()
    cache_key = (str(path), stat.st_ino, stat.st_mtime_ns)
    if cache_key not in _loaded:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyMissing(f"{path} does not hold an Ed25519 private key")
        _loaded.clear()
        _loaded[cache_key] = key
    return _loaded[cache_key]


def current_signing_key() -> tuple[Ed25519PrivateKey, SigningKey]:
    """The private key and its published record, registering it on first use."""
    key = private_key()
    return key, _register(key.public_key())


def rotate() -> SigningKey:
    """Start a new key: written over the key file, published, the others marked retired."""
    key = _write_new_key(key_file(), exclusive=False)
    record = _register(key.public_key())
    now = utcnow()
    for old in db.session.execute(
        select(SigningKey).where(SigningKey.id != record.id, SigningKey.retired_at.is_(None))
    ).scalars():
        old.retired_at = now
    return record


def published_keys() -> list[SigningKey]:
    return list(db.session.execute(select(SigningKey).order_by(SigningKey.id)).scalars())


def verify(payload: str, signature: str, key_id: str) -> bool:
    """Whether the signature (base64) of the payload was made by the published key key_id."""
    record = db.session.execute(
        select(SigningKey).where(SigningKey.key_id == key_id)
    ).scalar_one_or_none()
    if record is None:
        return False
    try:
        public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(record.public_key))
        public_key.verify(base64.b64decode(signature, validate=True), payload.encode("utf-8"))
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def sign(key: Ed25519PrivateKey, payload: str) -> str:
    return base64.b64encode(key.sign(payload.encode("utf-8"))).decode("ascii")


def public_key_pem(record: SigningKey) -> str:
    public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(record.public_key))
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def _register(public_key: Ed25519PublicKey) -> SigningKey:
    key_id = key_id_of(public_key)
    record = db.session.execute(
        select(SigningKey).where(SigningKey.key_id == key_id)
    ).scalar_one_or_none()
    if record is None:
        record = SigningKey(
            key_id=key_id,
            public_key=base64.b64encode(raw_public_key(public_key)).decode("ascii"),
        )
        try:
            with db.session.begin_nested():
                db.session.add(record)
        except IntegrityError:
            # Two agencies signed the key's first receipts at once; the other registered it.
            record = db.session.execute(
                select(SigningKey).where(SigningKey.key_id == key_id)
            ).scalar_one()
    return record


def _write_new_key(path: Path, *, exclusive: bool) -> Ed25519PrivateKey:
    """A new private key in path, readable by its owner only.

    exclusive: when two workers start at once, the second finds the first one's file and
    uses it rather than overwriting it.
    """
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    if exclusive:
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return private_key()
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        return key
    temporary = path.with_name(path.name + ".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    os.replace(temporary, path)
    return key
