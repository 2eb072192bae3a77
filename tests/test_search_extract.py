"""The text of documentation files for the search (forum/search/extract.py): PDF, DOCX and PPTX are read in a
child process with limits; anything else, anything broken and anything too slow gives no text (the file itself
is still stored)."""
from __future__ import annotations

import io

from forum.search import extract


def _pptx(text: str, notes: str) -> bytes:
    import pptx

    presentation = pptx.Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[1])
    slide.shapes.title.text = text
    slide.notes_slide.notes_text_frame.text = notes
    stream = io.BytesIO()
    presentation.save(stream)
    return stream.getvalue()


def _docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    table = document.add_table(rows=1, cols=1)
    table.rows[0].cells[0].text = "Tabelle mit Förderquote"
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def _pdf(text: str) -> bytes:
    """A one-page PDF with `text` in the standard Helvetica font (built by hand: pypdf reads but does not write
    text)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def test_pdf_docx_and_pptx_give_their_text():
    assert "Netzwerktreffen Kormoran" in extract.extract_text(_pdf("Netzwerktreffen Kormoran"), "pdf")
    docx_text = extract.extract_text(_docx("Protokoll der Werkstatt Uhu"), "docx")
    assert "Protokoll der Werkstatt Uhu" in docx_text and "Förderquote" in docx_text
    pptx_text = extract.extract_text(_pptx("Folie über Kiebitze", "Notiz zum Brachvogel"), "pptx")
    assert "Folie über Kiebitze" in pptx_text and "Brachvogel" in pptx_text


def test_broken_unknown_and_slow_files_give_no_text(monkeypatch):
    assert extract.extract_text(b"%PDF-1.4 nichts weiter", "pdf") == ""
    assert extract.extract_text(b"PK\x03\x04 kaputt", "docx") == ""
    assert extract.extract_text(b"\x89PNG\r\n", "png") == ""
    monkeypatch.setattr(extract, "TIME_LIMIT_SECONDS", 0.001)
    assert extract.extract_text(_docx("Zu langsam"), "docx") == ""


def test_the_text_is_capped(monkeypatch):
    monkeypatch.setattr(extract, "MAX_TEXT_CHARS", 10)
    assert len(extract.extract_text(_docx("Ein ziemlich langer Absatz über Sprachkurse"), "docx")) == 10
