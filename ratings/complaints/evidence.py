"""Evidence files: PDF, JPEG or PNG, whose name says what their content is, size-limited,
stored in the database (registry.uploads) and linked to the complaint with who added them."""

from pathlib import PurePath

from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from ratings.complaints.models import STAGE_PARTY, Complaint, ComplaintFile, Stage
from registry.uploads.services import UploadError, sniff, store_upload

# The extensions a name may end in for each type the content proves.
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}
TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
NAMED_TYPES = {ext: content_type for content_type, exts in EXTENSIONS.items() for ext in exts}


class EvidenceError(ValueError):
    """A refused evidence file; the message names the file and says why."""


def chosen(files) -> list[FileStorage]:
    """The files actually chosen (a form without a file sends one with an empty name)."""
    return [upload for upload in files or () if upload and upload.filename]


def check_evidence(files: list[FileStorage]) -> None:
    """Refuse too many files, and a file whose name says one type and content another."""
    limit = current_app.config["COMPLAINT_MAX_FILES"]
    if len(files) > limit:
        raise EvidenceError(_("Attach at most %(n)d files at a time.", n=limit))
    for upload in files:
        head = upload.stream.read(16)
        upload.stream.seek(0)
        kind = sniff(head)
        if kind is None:
            continue  # store_upload refuses it with its own message
        content_type = kind[0]
        extension = PurePath(upload.filename).suffix.lower()
        if NAMED_TYPES.get(extension) != content_type:
            raise EvidenceError(
                _(
                    "%(name)s is not what its name says: its content is a %(kind)s file. "
                    "Rename it to end in %(extension)s, or choose the right file.",
                    name=upload.filename,
                    kind=TYPE_NAMES[content_type],
                    extension=EXTENSIONS[content_type][0],
                )
            )


def store_evidence(
    complaint: Complaint, files: list[FileStorage], actor, stage: Stage
) -> list[ComplaintFile]:
    """Store checked files and link them to the complaint; refuses a file too big or of the
    wrong type by content (the caller rolls back: nothing is half-stored)."""
    added = []
    for upload in files:
        try:
            stored = store_upload(upload, uploaded_by=actor)
        except UploadError as error:
            raise EvidenceError(
                _("%(name)s: %(problem)s", name=upload.filename, problem=str(error))
            ) from None
        link = ComplaintFile(
            file=stored,
            party=STAGE_PARTY[stage].value,
            stage=stage.value,
            added_by_id=getattr(actor, "id", None),
        )
        complaint.files.append(link)
        added.append(link)
    return added
