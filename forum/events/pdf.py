"""HTML → accessible PDF with WeasyPrint (Pango underneath): tagged (PDF/UA-1: structure tree, language, title),
and never fetching anything over the network — only files from the app's static folder are read."""
from __future__ import annotations

import mimetypes
import threading
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
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


FONTS = "vendor/kern/fonts/fira-sans.css"  # the site's typeface (KERN), relative to static/
_fonts = threading.local()  # per thread: WeasyPrint's font configuration is not made to be shared between threads


def _font_faces(static_folder: str) -> tuple[FontConfiguration, CSS]:
    """The font configuration with the site's typeface loaded, made once per thread and static folder: decoding
    the WOFF2 files takes seconds, far longer than laying out a pack."""
    cached = getattr(_fonts, "faces", None)
    if cached is None or cached[0] != static_folder:
        config = FontConfiguration()
        faces = CSS(filename=str(Path(static_folder) / FONTS), font_config=config,
                    url_fetcher=StaticFilesOnly(static_folder))
        _fonts.faces = cached = (static_folder, config, faces)
    return cached[1], cached[2]


def render_pdf(html: str, *, static_folder: str) -> bytes:
    """The PDF of a standalone HTML document whose relative links point into static/ (lang and <title> of the
    document become the PDF's language and title), set in the site's typeface."""
    config, faces = _font_faces(static_folder)
    document = HTML(string=html, base_url=Path(static_folder).resolve().as_uri() + "/",
                    url_fetcher=StaticFilesOnly(static_folder))
    return document.write_pdf(stylesheets=[faces], font_config=config, pdf_variant="pdf/ua-1")
