"""Event documentation: the markdown text and the files (type checked by content, size limit, kept in the
database or a folder outside static/, downloaded by members only with safe headers, deletion audited)."""
from __future__ import annotations

import io
import os
import random
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from forum import storage
from forum.events.attachments import detect_file_type
from forum.events.models import EventAttachment
from forum.extensions import db
from forum.storage import StoredFile
from forum.audit import AuditEntry
from tests.factories import make_event
from tests.helpers import text_of

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
NOISE = random.Random("attachments")  # the same bytes in every process: pytest-xdist workers collect the same ids
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + NOISE.randbytes(64)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + NOISE.randbytes(64)
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + NOISE.randbytes(200)


def ooxml(folder: str, main_part: str, content_type: str) -> bytes:
    """A minimal Office Open XML package, as Word, PowerPoint or Excel write it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'content-types"><Override PartName="/{folder}/{main_part}" ContentType="{content_type}"/></Types>'))
        package.writestr("_rels/.rels", "<Relationships/>")
        package.writestr(f"{folder}/{main_part}", "<document/>")
    return buffer.getvalue()


OOXML = "application/vnd.openxmlformats-officedocument."
DOCX = ooxml("word", "document.xml", OOXML + "wordprocessingml.document.main+xml")
PPTX = ooxml("ppt", "presentation.xml", OOXML + "presentationml.presentation.main+xml")
XLSX = ooxml("xl", "workbook.xml", OOXML + "spreadsheetml.sheet.main+xml")
DOCM = ooxml("word", "document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml")
PLAIN_ZIP = ooxml("stuff", "document.xml", "text/plain")


def upload(client, event, data: bytes, filename: str):
    return client.post(f"/events/{event.id}/attachments", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def stored(event) -> list[EventAttachment]:
    db.session.expire_all()
    return list(db.session.scalars(select(EventAttachment).where(EventAttachment.event_id == event.id)
                                   .order_by(EventAttachment.id)))


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


@pytest.mark.parametrize("data, expected", [
    (PDF, "pdf"), (PNG, "png"), (JPEG, "jpeg"), (DOCX, "docx"), (PPTX, "pptx"), (XLSX, "xlsx"),
    (DOCM, None), (PLAIN_ZIP, None), (EXE, None), (b"PK\x03\x04 kaputt", None), (b"", None),
    (b"<html><script>alert(1)</script>", None),
])
def test_file_types_are_recognised_by_their_content(data, expected):
    assert detect_file_type(data) == expected


def test_organiser_writes_the_documentation_shown_on_the_event_page(client_as, organiser, member):
    event = make_event(status="done")
    client = client_as(organiser)
    response = client.post(f"/events/{event.id}/documentation",
                           data={"documentation": "## Ergebnisse\n\n<script>alert(1)</script>**Drei** Ansätze"})
    assert response.headers["Location"] == f"/events/{event.id}#dokumentation"
    html = client_as(member).get(f"/events/{event.id}").get_data(as_text=True)
    assert "<h3>Ergebnisse</h3>" in html and "<strong>Drei</strong>" in html  # below the h2 "Dokumentation"
    assert "<script>alert(1)</script>" not in html
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.documentation"))
    assert entry.actor_id == organiser.id and "Drei" in entry.snapshot["documentation"]
    too_long = client.post(f"/events/{event.id}/documentation", data={"documentation": "x" * 20_001})
    assert "Höchstens 20.000 Zeichen." in text_of(too_long)


@pytest.mark.parametrize("data, filename, content_type", [
    (PDF, "Präsentation Köln.pdf", "application/pdf"),
    (PNG, "Foto.PNG", "image/png"),
    (JPEG, "foto.jpeg", "image/jpeg"),
    (DOCX, "Protokoll.docx", OOXML + "wordprocessingml.document"),
    (PPTX, "Folien.pptx", OOXML + "presentationml.presentation"),
    (XLSX, "Liste.xlsx", OOXML + "spreadsheetml.sheet"),
])
def test_allowed_files_are_stored_outside_static_and_downloaded_with_safe_headers(
        client_as, organiser, member, uploads, data, filename, content_type):
    event = make_event()
    response = upload(client_as(organiser), event, data, filename)
    assert response.headers["Location"] == f"/events/{event.id}/documentation"
    [attachment] = stored(event)
    assert attachment.filename == filename and attachment.content_type == content_type
    assert storage.read("uploads", attachment.stored_name) == data and "." not in attachment.stored_name
    assert not uploads.exists()  # the default storage is the database

    reader = client_as(member)
    assert filename in text_of(reader.get(f"/events/{event.id}"))
    with reader.get(f"/events/{event.id}/attachments/{attachment.id}") as download:
        body = download.get_data()
    assert download.status_code == 200 and body == data
    assert download.headers["Content-Type"].startswith(content_type)
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert filename in disposition or "filename*=UTF-8''" in disposition
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.attachment.add"))
    assert entry.snapshot["filename"] == filename


def test_umlauts_in_file_names_survive_the_download(client_as, organiser, uploads):
    event = make_event()
    client = client_as(organiser)
    upload(client, event, PDF, "Präsentation Köln.pdf")
    [attachment] = stored(event)
    with client.get(f"/events/{event.id}/attachments/{attachment.id}") as download:
        disposition = download.headers["Content-Disposition"]
    assert "filename*=UTF-8''Pr%C3%A4sentation%20K%C3%B6ln.pdf" in disposition


@pytest.mark.parametrize("data, filename, message", [
    (PNG, "bericht.pdf", "Der Inhalt der Datei (PNG) passt nicht zur Endung .pdf."),
    (os.urandom(2048), "protokoll.docx", "Der Inhalt der Datei ist kein erlaubter Dateityp"),
    (EXE, "folien.pptx", "Der Inhalt der Datei ist kein erlaubter Dateityp"),
    (EXE, "setup.exe", "Dieser Dateityp ist nicht erlaubt."),
    (DOCM, "makro.docx", "Der Inhalt der Datei ist kein erlaubter Dateityp"),
    (XLSX, "tabelle.docx", "Der Inhalt der Datei (XLSX) passt nicht zur Endung .docx."),
    (b"<svg onload=alert(1)>", "bild.png", "Der Inhalt der Datei ist kein erlaubter Dateityp"),
    (PDF, "ohne-endung", "Dieser Dateityp ist nicht erlaubt."),
    (b"", "leer.pdf", "Die Datei ist leer."),
])
def test_disguised_or_wrong_files_are_refused_in_german(client_as, organiser, uploads, data, filename, message):
    event = make_event()
    response = upload(client_as(organiser), event, data, filename)
    assert response.status_code == 200
    assert message in text_of(response)
    assert stored(event) == [] and db.session.scalar(select(StoredFile.name).limit(1)) is None
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_missing_file_gets_a_german_message(client_as, organiser, uploads):
    event = make_event()
    response = client_as(organiser).post(f"/events/{event.id}/attachments", data={},
                                         content_type="multipart/form-data")
    assert "Bitte wählen Sie eine Datei aus." in text_of(response)


def test_oversize_files_are_refused(app, client_as, organiser, uploads, monkeypatch):
    # a small limit: the test client spools bodies above 500 KB to temporary files it never closes
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 100 * 1024)
    event = make_event()
    client = client_as(organiser)
    response = upload(client, event, PDF + b"0" * (100 * 1024), "gross.pdf")
    assert "Die Datei ist zu groß (höchstens 100 KB)." in text_of(response)
    assert stored(event) == []
    assert "höchstens 100 KB" in text_of(client.get(f"/events/{event.id}/documentation"))
    assert upload(client, event, PDF + b"0" * (90 * 1024), "passt.pdf").status_code == 302


def test_default_upload_limit_is_20_mb(app):
    assert app.config["UPLOAD_MAX_BYTES"] == 20 * 1024 * 1024
    assert app.config["MAX_CONTENT_LENGTH"] > app.config["UPLOAD_MAX_BYTES"]


def test_downloads_need_login(client, client_as, organiser, uploads):
    event = make_event()
    upload(client_as(organiser), event, PDF, "intern.pdf")
    [attachment] = stored(event)
    response = client.get(f"/events/{event.id}/attachments/{attachment.id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/accounts/login")
    other = make_event()
    db.session.commit()
    assert client_as(organiser).get(f"/events/{other.id}/attachments/{attachment.id}").status_code == 404


def test_deleting_a_file_is_audited_and_removes_it(client_as, organiser, member, uploads):
    event = make_event()
    client = client_as(organiser)
    upload(client, event, PDF, "Folien.pdf")
    [attachment] = stored(event)
    assert storage.exists("uploads", attachment.stored_name)
    assert client_as(member).post(f"/events/{event.id}/attachments/{attachment.id}/delete").status_code == 403
    response = client.post(f"/events/{event.id}/attachments/{attachment.id}/delete")
    assert response.headers["Location"] == f"/events/{event.id}/documentation"
    assert "Die Datei „Folien.pdf“ wurde gelöscht." in text_of(client.get(response.headers["Location"]))
    assert stored(event) == [] and not storage.exists("uploads", attachment.stored_name)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.attachment.delete"))
    assert entry.actor_id == organiser.id and entry.snapshot["filename"] == "Folien.pdf"
    assert "Folien.pdf" not in text_of(client.get(f"/events/{event.id}"))
    assert client.get(f"/events/{event.id}/attachments/{attachment.id}").status_code == 404


def test_files_can_be_kept_in_a_folder_outside_static_instead(app, client_as, organiser, member, uploads,
                                                               monkeypatch):
    monkeypatch.setitem(app.config, "FILE_STORAGE", "folder")
    event = make_event()
    client = client_as(organiser)
    upload(client, event, PNG, "Foto.png")
    [attachment] = stored(event)
    path = uploads / attachment.stored_name
    assert path.read_bytes() == PNG and db.session.scalar(select(StoredFile.name).limit(1)) is None
    assert "static" not in str(path.resolve().relative_to(Path(uploads).resolve().parent))
    with client_as(member).get(f"/events/{event.id}/attachments/{attachment.id}") as download:
        assert download.get_data() == PNG
    client.post(f"/events/{event.id}/attachments/{attachment.id}/delete")
    assert not path.exists()


def test_move_files_copies_the_folder_files_into_the_database_once(app, client_as, organiser, uploads,
                                                                  monkeypatch):
    monkeypatch.setitem(app.config, "FILE_STORAGE", "folder")
    event = make_event()
    client = client_as(organiser)
    upload(client, event, PDF, "Alt.pdf")
    [attachment] = stored(event)
    monkeypatch.setitem(app.config, "FILE_STORAGE", "database")
    assert client.get(f"/events/{event.id}/attachments/{attachment.id}").status_code == 404
    runner = app.test_cli_runner()
    result = runner.invoke(args=["move-files"])
    assert result.exit_code == 0 and f"1 aus {uploads}" in result.output
    with client.get(f"/events/{event.id}/attachments/{attachment.id}") as download:
        assert download.status_code == 200 and download.get_data() == PDF
    assert f"0 aus {uploads}" in runner.invoke(args=["move-files"]).output  # already there
    monkeypatch.setitem(app.config, "FILE_STORAGE", "folder")
    assert runner.invoke(args=["move-files"]).exit_code == 1  # only into the database
