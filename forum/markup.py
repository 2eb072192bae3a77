"""Markdown → sanitised HTML, rendered once when text is written; the only module importing markdown or bleach.

Everything a user writes goes through `render()`; templates mark only the stored `*_html` as safe. After a change
of the allowlists here, `flask --app forum rerender` rebuilds all stored HTML.
"""
from __future__ import annotations

import re
from html import escape, unescape
import xml.etree.ElementTree as etree

import bleach
import markdown
from bleach.html5lib_shim import Filter
from markdown import inlinepatterns
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

MAX_SOURCE_CHARS = 20_000

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "em", "strong", "del", "blockquote", "code", "pre",
    "ul", "ol", "li", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {"a": ("href", "title"), "th": ("align",), "td": ("align",), "ol": ("start",), "code": ("class",)}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener ugc"
MARKDOWN_EXTENSIONS = ("fenced_code", "tables", "sane_lists", "nl2br")
# Column alignment as the `align` attribute of the allowlist (Python-Markdown's default, `style`, is removed).
EXTENSION_CONFIGS = {"tables": {"use_align_attribute": True}}

# Python-Markdown's link processors scan to the end of the text for every "[" (Python-Markdown#798): 20 KB of
# "[a" took 26 s and of "![[" 83 s of CPU. _BoundedLinks keeps them linear. bleach's linkify is quadratic on
# runs of "(" (20 KB: 6 s), so bare URLs are linked by our own inline pattern instead.
LINK_DESTINATION_WINDOW = 1_000
_URL_IGNORED = re.compile(r"[\t\n\r]")
_URL_SCHEME = re.compile(r"([^/?#]*?):")
_CODE_CLASS = re.compile(r"language-[A-Za-z0-9_+-]{1,30}")
_BARE_URL = r"\b(?:https?://|www\.)[^\s<>\"'`\[\]]+"
_URL_TRAILING_PUNCTUATION = ".,;:!?'\")*_"


class TextTooLong(ValueError):
    """Raised for a source above MAX_SOURCE_CHARS; forms check the length first with a German message."""


def render(source: str) -> str:
    """Turn a user's markdown into HTML that is safe to store and show."""
    if len(source) > MAX_SOURCE_CHARS:
        raise TextTooLong(len(source))
    try:
        html = markdown.Markdown(
            extensions=[*MARKDOWN_EXTENSIONS, _ExtranetExtension()], extension_configs=EXTENSION_CONFIGS,
            output_format="html").convert(source)
    except RecursionError:
        # Thousands of nested list or quote markers exhaust Python-Markdown's recursive block parser;
        # such a text is shown as typed rather than refused.
        html = "".join(f"<p>{escape(block)}</p>" for block in source.split("\n\n") if block.strip())
    return _cleaner.clean(html)


class _BoundedLinks:
    """Link processors with linear-time bracket matching and a bounded destination scan.

    getText answers from a bracket map built once per text (the same answer as upstream's scan, which counts
    nesting from the "[" on); getLink looks only LINK_DESTINATION_WINDOW characters ahead, so an over-long
    "(destination)" stays plain text.
    """

    _data: str | None = None
    _closing: dict[int, int] = {}

    def getText(self, data, index):
        if index == 0 or data[index - 1] != "[":
            return super().getText(data, index)
        if data is not self._data:
            self._data, self._closing = data, _bracket_pairs(data)
        close = self._closing.get(index - 1)
        if close is None:
            return "", len(data), False
        return data[index:close], close + 1, True

    def getLink(self, data, index):
        return super().getLink(data[: index + LINK_DESTINATION_WINDOW], index)


def _bracket_pairs(data: str) -> dict[int, int]:
    """Position of every "[" mapped to its matching "]"."""
    pairs, stack = {}, []
    for pos, char in enumerate(data):
        if char == "[":
            stack.append(pos)
        elif char == "]" and stack:
            pairs[stack.pop()] = pos
    return pairs


_LINK_PROCESSORS = {
    "reference": (inlinepatterns.ReferenceInlineProcessor, inlinepatterns.REFERENCE_RE, 170),
    "link": (inlinepatterns.LinkInlineProcessor, inlinepatterns.LINK_RE, 160),
    "image_link": (inlinepatterns.ImageInlineProcessor, inlinepatterns.IMAGE_LINK_RE, 150),
    "image_reference": (inlinepatterns.ImageReferenceInlineProcessor, inlinepatterns.IMAGE_REFERENCE_RE, 140),
    "short_reference": (inlinepatterns.ShortReferenceInlineProcessor, inlinepatterns.REFERENCE_RE, 130),
    "short_image_ref": (inlinepatterns.ShortImageReferenceInlineProcessor, inlinepatterns.IMAGE_REFERENCE_RE, 125),
}


class _BareUrlProcessor(inlinepatterns.InlineProcessor):
    """Links bare http(s):// and www. addresses; never inside code (markdown does not look there) or a link."""

    ANCESTOR_EXCLUDES = ("a",)

    def handleMatch(self, m, data):
        url = m.group(0)
        while url and url[-1] in _URL_TRAILING_PUNCTUATION and not (url[-1] == ")" and url.count("(") >=
                                                                      url.count(")")):
            url = url[:-1]
        element = etree.Element("a")
        element.set("href", url if "://" in url else f"https://{url}")
        element.text = AtomicString(url)
        return element, m.start(0), m.start(0) + len(url)


class _AdjustElements(Treeprocessor):
    """Headings in user text start at h3 (the page owns h1 and h2); images become links to the image,
    so no picture from another server is loaded into the extranet."""

    def run(self, root):
        for element in root.iter():
            if element.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                element.tag = f"h{min(int(element.tag[1]) + 2, 6)}"
            elif element.tag == "img":
                source, alt = element.get("src", ""), element.get("alt", "")
                element.attrib.clear()
                element.tag, element.text = "a", AtomicString(alt or source)
                element.set("href", source)


class _ExtranetExtension(Extension):
    """Our changes to Python-Markdown: bounded link parsing, bare-URL links, headings and images adjusted."""

    def extendMarkdown(self, md):
        for name, (base, pattern, priority) in _LINK_PROCESSORS.items():
            bounded = type(f"Bounded{base.__name__}", (_BoundedLinks, base), {})
            md.inlinePatterns.register(bounded(pattern, md), name, priority)
        md.inlinePatterns.register(_BareUrlProcessor(_BARE_URL, md), "bare_url", 85)
        md.treeprocessors.register(_AdjustElements(md), "adjust_elements", 5)


class _LinkRelFilter(Filter):
    """Every link that survives cleaning gets rel="nofollow noopener ugc", whatever the source said."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                attributes = {key: value for key, value in token["data"].items() if key[1] != "rel"}
                attributes[(None, "rel")] = LINK_REL
                token["data"] = attributes
            yield token


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    if name == "href":
        return _is_safe_url(value)
    if name == "class":
        return bool(_CODE_CLASS.fullmatch(value))
    if name == "align":
        return value in ("left", "right", "center")
    if name == "start":
        return value.isdigit() and len(value) < 7
    return True


def _is_safe_url(value: str) -> bool:
    """Relative URLs, or http/https/mailto after the browser's normalisation (entities decoded, control
    characters and spaces stripped, tabs and newlines removed). bleach alone lets "javascript:1" pass, because
    Python's urlsplit reads the digits as a port."""
    normalised = _URL_IGNORED.sub("", unescape(value).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                              "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "))
    scheme = _URL_SCHEME.match(normalised)
    return scheme is None or scheme.group(1).lower() in ALLOWED_PROTOCOLS


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allow_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=False,
    strip_comments=True,
    filters=[_LinkRelFilter],
)
