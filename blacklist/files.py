"""Files an agency sends with its objection or its repair application: PDF, JPEG or PNG,
checked by content and stored in the database (registry.uploads), linked to the case."""

import hashlib

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from blacklist.models import BlacklistCase, CaseFile, FileStage, RepairApplication
from registry.uploads.services import UploadError, store_upload

MAX_FILES = 5


class FileRefused(ValueError):
    """A refused file; the message names it and says why."""


def chosen(files) -> list[FileStorage]:
    """The files actually chosen (a form without a file sends one with an empty name)."""
    return [upload for upload in files or () if upload and upload.filename]


def store_files(
    case: BlacklistCase,
    files: list[FileStorage],
    actor,
    stage: FileStage,
    application: RepairApplication | None = None,
) -> list[CaseFile]:
    """Store the files and link them to the case; refuses the lot if one is refused (the
    caller rolls back, so nothing is half-stored)."""
    if len(files) > MAX_FILES:
        raise FileRefused(_("Attach at most %(n)d files at a time.", n=MAX_FILES))
    links = []
    for upload in files:
        try:
            stored = store_upload(upload, uploaded_by=actor)
        except UploadError as error:
            raise FileRefused(
                _("%(name)s: %(problem)s", name=upload.filename, problem=str(error))
            ) from None
        link = CaseFile(
            file=stored,
            stage=stage.value,
            repair_id=application.id if application else None,
            added_by_id=getattr(actor, "id", None),
        )
        case.files.append(link)
        links.append(link)
    return links


def fingerprint(text: str, links: list[CaseFile]) -> dict:
    """What the audit log keeps of a private submission: hashes, not the words."""
    return {
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "files": [link.file.sha256 for link in links],
    }
