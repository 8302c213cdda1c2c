"""Receipts: the exact text signed, its hash, the canonical payload and the receipt code.

Everything here is pure, so that anyone re-implementing the verification (a court's
expert, a journalist's script) can follow it line by line; the README's "Commitment
receipts" says the same in words.
"""

import hashlib
import json
import secrets

# Crockford's base32: no I, L, O or U, so a code read aloud or retyped survives.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_LENGTH = 12
# What people mistype for what they meant.
LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_receipt_code() -> str:
    """Twelve random characters: 60 bits, unguessable and short enough to read out."""
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def normalise_receipt_code(typed: str) -> str | None:
    """The receipt code a person meant (spaces, dashes and case ignored), or None."""
    code = "".join(typed.split()).replace("-", "").upper().translate(LOOKALIKES)
    if len(code) != RECEIPT_LENGTH or any(char not in RECEIPT_ALPHABET for char in code):
        return None
    return code


def grouped(code: str) -> str:
    """A receipt code as printed: XXXX-XXXX-XXXX."""
    return "-".join(code[start : start + 4] for start in range(0, len(code), 4))


def letter_text(title: str, body: str) -> str:
    """The exact text an agency reads and signs: the title, a blank line, the body.

    Line ends are \\n and trailing spaces are dropped, so the same letter hashes the same
    whatever browser or editor it passed through.
    """
    lines = [line.rstrip() for line in f"{title.strip()}\n\n{body.strip()}".splitlines()]
    return "\n".join(lines)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical_payload(fields: dict) -> str:
    """JSON with sorted keys, no spaces, UTF-8 characters as they are: one spelling only."""
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
