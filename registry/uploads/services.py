"""Accepting uploads (type checked by content, size-limited) and serving them as attachments."""

import hashlib
import unicodedata
from pathlib import PurePath

from flask import Response, current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from registry.db import db
from registry.uploads.models import StoredFile

# What each accepted type's first bytes must be; the browser's claimed type is ignored.
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


class UploadError(ValueError):
    """A refused upload; the message says why, in the user's language."""


def sniff(head: bytes) -> tuple[str, str] | None:
    """The content type and extension that the file's first bytes prove, if any."""
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None


def store_upload(upload: FileStorage, *, uploaded_by=None) -> StoredFile:
    """Keep an uploaded PDF, JPEG or PNG in the database; refuse anything else."""
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    data = upload.stream.read(limit + 1)
    if not data:
        raise UploadError(_("The file is empty."))
    if len(data) > limit:
        raise UploadError(_("The file is larger than %(mb)d MB.", mb=limit // (1024 * 1024)))
    kind = sniff(data[:16])
    if kind is None:
        raise UploadError(
            _("Only PDF, JPEG and PNG files are accepted; this file is none of them.")
        )
    content_type, extension = kind
    stored = StoredFile(
        filename=safe_filename(upload.filename or "", extension),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by_id=getattr(uploaded_by, "id", None),
    )
    db.session.add(stored)
    return stored


def safe_filename(name: str, extension: str) -> str:
    """The uploaded name without folders or control characters, ending in the true extension."""
    stem = PurePath(name.replace("\\", "/")).stem
    stem = "".join(c for c in stem if unicodedata.category(c)[0] not in "CZ" or c == " ")
    return (stem.strip()[:150] or "file") + extension


def attachment_response(stored: StoredFile) -> Response:
    """The file as a download: never rendered inline, never sniffed, never scripted."""
    response = Response(stored.data, mimetype=stored.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=stored.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
