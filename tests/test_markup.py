"""forum/markup.py: markdown rendered once and sanitised — proved with our own payloads and the public XSS corpus."""
from __future__ import annotations

import re
import time
from html.parser import HTMLParser

import pytest

from forum import ROOT, markup
from tests.conftest import skip_or_fail

CORPUS = ROOT.parent / "shared" / "data" / "xss"
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}

OWN_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<a href=\"java\tscript:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\"javascript:1\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "[klick](javascript:alert(1))",
    "[klick](data:text/html,<script>alert(1)</script>)",
    "![bild](javascript:alert(1))",
    "![bild](http://evil.example/tracker.png)",
    "<iframe src=\"http://evil.example\"></iframe>",
    "<object data=\"x.swf\"></object>",
    "<form action=\"http://evil.example\"><button formaction=\"javascript:alert(1)\">x</button></form>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<p onclick=\"alert(1)\">x</p>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<!--<img src=x onerror=alert(1)>-->",
    "<a href=\"http://ok.example\" onmouseover=\"alert(1)\" style=\"color:red\">x</a>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<link rel=stylesheet href=\"http://evil.example/x.css\">",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "[x](http://ok.example \"title\\\" onmouseover=alert(1) x=\\\"\")",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<a href=\"\\x01javascript:alert(1)\">x</a>",
    "<template><img src=x onerror=alert(1)></template>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
]


class _Checker(HTMLParser):
    """Collects every element and attribute a browser would build from the output."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in markup.ALLOWED_TAGS:
            self.problems.append(f"element <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                self.problems.append(f"attribute {name} on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None:
                normalised = re.sub(r"[\t\n\r]", "", value.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e"
                                                                  "\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a"
                                                                  "\x1b\x1c\x1d\x1e\x1f "))
                scheme = re.match(r"([^/?#]*?):", normalised)
                if scheme and scheme.group(1).lower() not in markup.ALLOWED_PROTOCOLS:
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def problems_in(html: str) -> list[str]:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    return checker.problems


def variants(payload: str) -> list[str]:
    """The payload as a whole post, as link text, as link target and as image."""
    return [payload, f"Text [{payload}](http://ok.example) Ende", f"[Link]({payload})", f"![{payload}]({payload})"]


@pytest.mark.parametrize("payload", OWN_PAYLOADS)
def test_own_payloads_leave_nothing_executable(payload):
    for source in variants(payload):
        assert problems_in(markup.render(source)) == [], source


def _corpus() -> list[tuple[str, str]]:
    payloads = []
    for path in sorted(CORPUS.glob("*.txt")):
        multiline_file = path.with_suffix(".multiline")
        multiline = {int(n) for n in multiline_file.read_text().split()} if multiline_file.exists() else set()
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n")[:-1], start=1):
            if number in multiline:
                line = line.replace("\\n", "\n").replace("\\r", "\r")
            payloads.append((f"{path.name}:{number}", line))
    return payloads


def test_public_xss_corpus_leaves_nothing_executable():
    if not CORPUS.is_dir():
        skip_or_fail(f"XSS corpus not found at {CORPUS}")
    payloads = _corpus()
    assert len(payloads) >= 800
    failures = []
    for where, payload in payloads:
        for source in variants(payload):
            found = problems_in(markup.render(source[: markup.MAX_SOURCE_CHARS]))
            if found:
                failures.append((where, found))
    assert failures == []


def test_markdown_features_users_need_survive_cleaning():
    html = markup.render("# Überschrift\n\n**fett** *kursiv* ~~x~~\n\n- eins\n- zwei\n\n1. a\n2. b\n\n"
                         "> Zitat\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n```python\nprint(1)\n```\n\n---\n\n"
                         "Zeile 1\nZeile 2 [Link](https://www.bmas.de) mailto:x <mailto:a@b.example>")
    for fragment in ("<h3>Überschrift</h3>", "<strong>fett</strong>", "<em>kursiv</em>", "<ul>", "<ol>",
                     "<blockquote>", "<table>", '<code class="language-python">', "<hr>", "Zeile 1<br>",
                     '<a href="https://www.bmas.de" rel="nofollow noopener ugc">Link</a>'):
        assert fragment in html, fragment


def test_bare_urls_are_linked_but_not_inside_code():
    html = markup.render("Siehe https://www.arbeitsagentur.de/jobcenter. und `http://nicht-verlinkt.example`")
    assert '<a href="https://www.arbeitsagentur.de/jobcenter" rel="nofollow noopener ugc">' in html
    assert "<code>http://nicht-verlinkt.example</code>" in html


def test_images_from_other_servers_become_links():
    html = markup.render("![Plakat](https://evil.example/tracker.png)")
    assert "<img" not in html
    assert '<a href="https://evil.example/tracker.png" rel="nofollow noopener ugc">Plakat</a>' in html


def test_typed_html_is_shown_as_text_not_lost():
    assert "&lt;Name&gt;" in markup.render("Bitte <Name> einsetzen")


@pytest.mark.parametrize("source", ["[" * 20_000, "[a" * 10_000, "![[" * 6_600, "(" * 20_000,
                                    "[x](" * 5_000, "1. " * 6_600, ">" * 20_000])
def test_pathological_input_is_rendered_quickly(source):
    started = time.process_time()
    markup.render(source)
    assert time.process_time() - started < 5, "Python-Markdown#798-style blow-up is back"


def test_over_long_source_is_refused():
    with pytest.raises(markup.TextTooLong):
        markup.render("x" * (markup.MAX_SOURCE_CHARS + 1))


def test_only_markup_imports_markdown_or_bleach():
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "forum").rglob("*.py")
                 if path.name != "markup.py"
                 and re.search(r"^\s*(import|from)\s+(markdown|bleach)\b", path.read_text(), re.M)]
    assert offenders == []
