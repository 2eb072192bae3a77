"""HTML → accessible PDF with WeasyPrint (Pango underneath): tagged (PDF/UA-1: structure tree, language, title),
and never fetching anything over the network — only files from the app's static folder are read."""
from __future__ import annotations

import mimetypes
from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse


class StaticFilesOnly(URLFetcher):
    """Serves the stylesheets and fonts of static/ and refuses every other address (http, other files, data)."""

    def __init__(self, static_folder: str):
        super().__init__(allowed_protocols={"file"})
        self.root = Path(static_folder).resolve()

    def fetch(self, url, headers=None):
        if not url.startswith("file:"):
            raise ValueError(f"refused outside static/: {url[:80]}")
        path = Path(URLFetcherResponse(url).path or "").resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ValueError(f"refused outside static/: {url[:80]}")
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": kind})


def render_pdf(html: str, *, static_folder: str) -> bytes:
    """The PDF of a standalone HTML document whose relative links point into static/ (lang and <title> of the
    document become the PDF's language and title)."""
    document = HTML(string=html, base_url=Path(static_folder).resolve().as_uri() + "/",
                    url_fetcher=StaticFilesOnly(static_folder))
    return document.write_pdf(pdf_variant="pdf/ua-1")
