"""Documentation files of events: allowed types recognised by their content (magic bytes, OOXML package parts),
kept by a random name in forum/storage.py (area "uploads"; never below static/), added and deleted with an audit
entry."""
from __future__ import annotations

import io
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from flask import current_app
from flask_babel import format_decimal, gettext as _

from forum.events.models import Event, EventAttachment
from forum.events.services import EventError
from forum import storage
from forum.extensions import db
from forum.audit import record
from forum.search import index as search_index
from forum.search.extract import extract_text


@dataclass(frozen=True)
class FileType:
    """An allowed kind of file: what it is called, its extensions and the Content-Type it is served with."""

    key: str
    label: str
    extensions: tuple[str, ...]
    content_type: str


FILE_TYPES = {
    "pdf": FileType("pdf", "PDF", (".pdf",), "application/pdf"),
    "pptx": FileType("pptx", "PPTX", (".pptx",),
                     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "docx": FileType("docx", "DOCX", (".docx",),
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": FileType("xlsx", "XLSX", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "png": FileType("png", "PNG", (".png",), "image/png"),
    "jpeg": FileType("jpeg", "JPEG", (".jpg", ".jpeg"), "image/jpeg"),
}
ALLOWED_EXTENSIONS = tuple(extension for file_type in FILE_TYPES.values() for extension in file_type.extensions)

# An Office Open XML file is a zip package; its main part and the content type declared for it tell them apart.
# Macro-enabled variants (docm, pptm, xlsm) declare other content types and are not accepted.
_OOXML_MAIN_PARTS = {
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "pptx": ("ppt/presentation.xml",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
}
_CONTENT_TYPES_PART = "[Content_Types].xml"
_MAX_CONTENT_TYPES_BYTES = 1024 * 1024  # the part is a few KB; a larger one is not read (zip bombs)
_UNSAFE_NAME_CHARACTERS = re.compile(r'[\x00-\x1f\x7f"<>:|?*]')
MAX_FILENAME_CHARS = 200


def detect_file_type(data: bytes) -> str | None:
    """The key of the allowed type these bytes are (pdf, png, jpeg, docx, pptx, xlsx), or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        return _ooxml_type(data)
    return None


def _ooxml_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            info = package.getinfo(_CONTENT_TYPES_PART) if _CONTENT_TYPES_PART in names else None
            if info is None or info.file_size > _MAX_CONTENT_TYPES_BYTES:
                return None
            content_types = package.read(info).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, ValueError):
        return None
    for key, (main_part, content_type) in _OOXML_MAIN_PARTS.items():
        folder = main_part.partition("/")[0] + "/"
        if main_part in names and content_type in content_types and any(n.startswith(folder) for n in names):
            return key
    return None


def extension_of(filename: str) -> str:
    """The lower-cased extension with its dot (".pdf"), or "" without one."""
    return PurePosixPath(filename.lower()).suffix


def clean_filename(filename: str) -> str:
    """The name shown and offered for download: no folders, no control or reserved characters, not too long."""
    name = PurePosixPath(unicodedata.normalize("NFC", filename or "").replace("\\", "/")).name
    name = " ".join(_UNSAFE_NAME_CHARACTERS.sub("_", name).split()).strip(". ")
    if len(name) > MAX_FILENAME_CHARS:
        stem, extension = name[: -len(extension_of(name)) or None], extension_of(name)
        name = stem[: MAX_FILENAME_CHARS - len(extension)] + extension
    return name


def format_size(size: int) -> str:
    """A file size for people in their language: "850 KB", "3,4 MB"."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{format_decimal(size / (1024 * 1024), format='#,##0.#')} MB"


# --- storing and deleting ----------------------------------------------------------------------------------

def attachment_data(attachment: EventAttachment) -> bytes | None:
    """The stored bytes of an attachment (its name is ours, random: no path from the upload is used), or None."""
    return storage.read("uploads", attachment.stored_name)


def attachment_text(attachment: EventAttachment) -> str:
    """The searchable text of a stored file ("" when it is gone or has none): for `flask reindex`."""
    data = attachment_data(attachment)
    if not data:
        return ""
    return extract_text(data, detect_file_type(data) or "")


def add_attachment(event: Event, *, filename: str, stream, actor) -> EventAttachment:
    """Store an uploaded file when its content is an allowed type matching its name and it is not too large;
    raises EventError with the reason otherwise; audited."""
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    data = stream.read(limit + 1)
    name = clean_filename(filename)
    if len(data) > limit:
        raise EventError(_("Die Datei ist zu groß (höchstens %(size)s).", size=format_size(limit)))
    if not data:
        raise EventError(_("Die Datei ist leer."))
    extension = extension_of(name)
    if extension not in ALLOWED_EXTENSIONS:
        raise EventError(_("Dieser Dateityp ist nicht erlaubt. Erlaubt sind PDF, PPTX, DOCX, XLSX, PNG und JPEG."))
    detected = detect_file_type(data)
    if detected is None:
        raise EventError(_("Der Inhalt der Datei ist kein erlaubter Dateityp (PDF, PPTX, DOCX, XLSX, PNG, JPEG). "
                           "Die Datei wurde nicht gespeichert."))
    file_type = FILE_TYPES[detected]
    if extension not in file_type.extensions:
        raise EventError(_("Der Inhalt der Datei (%(detected)s) passt nicht zur Endung %(extension)s. "
                           "Die Datei wurde nicht gespeichert.", detected=file_type.label, extension=extension))
    stored_name = secrets.token_hex(16)
    attachment = EventAttachment(event_id=event.id, filename=name, stored_name=stored_name,
                                 content_type=file_type.content_type, size=len(data), uploaded_by_id=actor.id)
    db.session.add(attachment)
    db.session.flush()
    storage.save("uploads", stored_name, data)
    search_index.index_document(attachment, extract_text(data, detected))
    record(actor, "event.attachment.add", attachment,
           snapshot={"event_id": event.id, "title": event.title, "filename": name, "size": len(data)})
    return attachment


def delete_attachment(attachment: EventAttachment, *, actor) -> None:
    """Delete a documentation file (the row and the stored file); audited with its name and size."""
    record(actor, "event.attachment.delete", attachment,
           snapshot={"event_id": attachment.event_id, "title": attachment.event.title,
                     "filename": attachment.filename, "size": attachment.size, "content_type": attachment.content_type})
    search_index.forget("document", attachment.id)
    db.session.delete(attachment)
    db.session.flush()  # a database error stops us before a file in a folder is gone
    storage.remove("uploads", attachment.stored_name)
