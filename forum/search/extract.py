"""The text of documentation files (PDF, DOCX, PPTX) for the search index.

A file from the outside can be built to make a parser run for minutes or eat all memory, so the parsing runs in
a separate Python process with a time limit, a memory limit and a cap on the text: this file is run as a
script (importing nothing of the app) with the file's bytes on stdin and the text on stdout. A file that cannot
be read within the limits is still stored, just not indexed (extract_text returns "").

Libraries: pypdf (pure Python PDF text), python-docx and python-pptx (Office Open XML); all well kept.
"""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

TIME_LIMIT_SECONDS = 20
MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024
MAX_TEXT_CHARS = 100_000
MAX_PDF_PAGES = 300
EXTRACTED_KINDS = ("pdf", "docx", "pptx")


def extract_text(data: bytes, kind: str) -> str:
    """The plain text of a file of `kind` ("pdf", "docx", "pptx"); "" for other kinds, unreadable files and
    files that take too long."""
    if kind not in EXTRACTED_KINDS:
        return ""
    try:
        finished = subprocess.run([sys.executable, "-I", str(Path(__file__).resolve()), kind], input=data,
                                  capture_output=True, timeout=TIME_LIMIT_SECONDS, preexec_fn=_limit_memory,
                                  check=False)
    except (subprocess.TimeoutExpired, OSError):
        return ""
    if finished.returncode != 0:
        return ""
    return finished.stdout.decode("utf-8", "replace")[:MAX_TEXT_CHARS]


def _limit_memory() -> None:
    import resource  # noqa: PLC0415 (in the child process only, after fork)
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


# --- the child process ----------------------------------------------------------------------------------------

def _pdf(stream) -> list[str]:
    from pypdf import PdfReader  # noqa: PLC0415 (the child imports only what its kind needs)
    reader = PdfReader(stream)
    return [page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES]]


def _docx(stream) -> list[str]:
    import docx  # noqa: PLC0415
    document = docx.Document(stream)
    texts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return texts


def _pptx(stream) -> list[str]:
    import pptx  # noqa: PLC0415
    texts = []
    for slide in pptx.Presentation(stream).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
        if slide.has_notes_slide:
            texts.append(slide.notes_slide.notes_text_frame.text)
    return texts


def _main(kind: str) -> None:
    readers = {"pdf": _pdf, "docx": _docx, "pptx": _pptx}
    texts = readers[kind](io.BytesIO(sys.stdin.buffer.read()))
    text = "\n".join(" ".join(part.split()) for part in texts if part and part.strip())
    sys.stdout.buffer.write(text[:MAX_TEXT_CHARS].encode("utf-8"))


if __name__ == "__main__":
    _main(sys.argv[1])
