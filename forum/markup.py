"""Markdown → sanitised HTML, rendered once when text is written; the only module importing markdown or bleach.

Everything a user writes goes through `render()`; templates mark only the stored `*_html` as safe. After a change
of the allowlists here, `flask --app forum rerender` rebuilds all stored HTML.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape, unescape
import xml.etree.ElementTree as etree

import bleach
import markdown
from bleach.html5lib_shim import Filter
from markdown import inlinepatterns
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

MAX_SOURCE_CHARS = 20_000
# A quote of a post: the blockquote whose first paragraph starts with a link to the quoted post gets the post's
# id in this attribute when it is rendered, so that a reader who may not read that post is shown a placeholder.
QUOTE_ATTRIBUTE = "data-quote-post"

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "em", "strong", "del", "blockquote", "code", "pre",
    "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {"a": ("href", "title"), "th": ("align",), "td": ("align",), "ol": ("start",), "code": ("class",),
                      "blockquote": (QUOTE_ATTRIBUTE,)}
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


def render(source: str, *, quote_links: re.Pattern | None = None, heading_level: int = 2) -> str:
    """Turn a user's markdown into HTML that is safe to store and show.

    `heading_level` is the level of the page's heading the text is shown under (1: right below the page's h1):
    the text's headings continue from it without skipping a level (see _AdjustElements).
    `quote_links` matches (fully) the address of a post, its first group being the post's id: a blockquote
    that starts with a link to such an address is a quote of that post and carries its id in QUOTE_ATTRIBUTE.
    """
    if len(source) > MAX_SOURCE_CHARS:
        raise TextTooLong(len(source))
    if quote_links is not None:
        source = _separate_quotes(source, quote_links)
    try:
        html = markdown.Markdown(
            extensions=[*MARKDOWN_EXTENSIONS, _ExtranetExtension(quote_links, heading_level)],
            extension_configs=EXTENSION_CONFIGS,
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


_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


class _AdjustElements(Treeprocessor):
    """Headings follow the page's heading level (WCAG 1.3.1: no level skipped); images become links to the
    image, so no picture from another server is loaded into the extranet.

    The text's highest heading becomes one level below `heading_level`, the others keep their distance to it,
    and none is more than one level deeper than the heading before it ("###" alone under the page's h2 is an
    h3; "#" then "###" become h3 then h4), at most h6."""

    def __init__(self, md, heading_level: int = 2):
        super().__init__(md)
        self.heading_level = heading_level

    def run(self, root):
        headings = [element for element in root.iter() if element.tag in _HEADING_TAGS]
        top = min((int(element.tag[1]) for element in headings), default=1)
        previous = self.heading_level
        for element in headings:
            level = min(self.heading_level + 1 + int(element.tag[1]) - top, previous + 1, 6)
            element.tag, previous = f"h{level}", level
        for element in root.iter():
            if element.tag == "img":
                source, alt = element.get("src", ""), element.get("alt", "")
                element.attrib.clear()
                element.tag, element.text = "a", AtomicString(alt or source)
                element.set("href", source)


class _MarkQuotes(Treeprocessor):
    """A blockquote whose first paragraph begins with a link to a post is a quote of that post: it gets the
    post's id in QUOTE_ATTRIBUTE."""

    def __init__(self, md, quote_links: re.Pattern | None):
        super().__init__(md)
        self.quote_links = quote_links

    def run(self, root):
        if self.quote_links is None:
            return
        parents = {child: parent for parent in root.iter() for child in parent}
        for blockquote in list(root.iter("blockquote")):
            self._split(blockquote, parents)
        for blockquote in root.iter("blockquote"):
            post_id = self._quoted_post(blockquote[0]) if len(blockquote) and not (blockquote.text or "").strip() \
                else None
            if post_id is not None:
                blockquote.set(QUOTE_ATTRIBUTE, post_id)

    def _split(self, blockquote, parents) -> None:
        """Python-Markdown joins quotes separated by a blank line into one blockquote: every paragraph in it
        that starts with a link to a post begins a blockquote of its own (its quote ends where the next begins)."""
        starts = [index for index, child in enumerate(blockquote) if index and self._quoted_post(child)]
        if not starts:
            return
        parent = parents[blockquote]
        position = list(parent).index(blockquote)
        children = list(blockquote)
        for number, (start, end) in enumerate(zip(starts, [*starts[1:], len(children)]), start=1):
            part = etree.Element("blockquote")
            part.text, part.tail = "\n", blockquote.tail
            for child in children[start:end]:
                blockquote.remove(child)
                part.append(child)
                parents[child] = part
            parent.insert(position + number, part)
            parents[part] = parent

    def _quoted_post(self, paragraph) -> str | None:
        """The id of the post the paragraph's leading link points to, if it is a post."""
        if paragraph.tag != "p" or (paragraph.text or "").strip() or len(paragraph) == 0 or paragraph[0].tag != "a":
            return None
        match = self.quote_links.fullmatch(paragraph[0].get("href", ""))
        return str(int(match.group(1))) if match else None


_RAW_BLOCKQUOTE_TAG = re.compile(r"<(/?\s*(?:blockquote|h[1-6])\b)", re.IGNORECASE)


class _NoRawQuotes(Postprocessor):
    """Blockquote tags typed as raw HTML stay text: a "</blockquote>" in a quoted post would otherwise end the
    quote early and leave the rest of the quoted text outside it, shown to every reader (and a typed
    blockquote could claim to be a quote of any post). Quotes are written with ">". Typed heading tags stay
    text too: they would bypass the heading levels of _AdjustElements; headings are written with "#"."""

    def run(self, text):
        stash = self.md.htmlStash
        stash.rawHtmlBlocks = [_RAW_BLOCKQUOTE_TAG.sub(r"&lt;\1", block) if isinstance(block, str) else block
                               for block in stash.rawHtmlBlocks]
        return text


class _ExtranetExtension(Extension):
    """Our changes to Python-Markdown: bounded link parsing, bare-URL links, headings and images adjusted,
    quotes of posts marked."""

    def __init__(self, quote_links: re.Pattern | None = None, heading_level: int = 2):
        super().__init__()
        self.quote_links, self.heading_level = quote_links, heading_level

    def extendMarkdown(self, md):
        for name, (base, pattern, priority) in _LINK_PROCESSORS.items():
            bounded = type(f"Bounded{base.__name__}", (_BoundedLinks, base), {})
            md.inlinePatterns.register(bounded(pattern, md), name, priority)
        md.inlinePatterns.register(_BareUrlProcessor(_BARE_URL, md), "bare_url", 85)
        md.treeprocessors.register(_AdjustElements(md, self.heading_level), "adjust_elements", 5)
        md.treeprocessors.register(_MarkQuotes(md, self.quote_links), "mark_quotes", 4)
        md.postprocessors.register(_NoRawQuotes(md), "no_raw_quotes", 35)  # before the raw HTML is put back


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
    if name == QUOTE_ATTRIBUTE:
        return value.isdigit() and len(value) < 19
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


# --- quotes of posts in stored HTML (read side: no markdown, one pass over the text) ------------------------

# bleach writes every tag it keeps in one canonical form, and a blockquote has no attribute but QUOTE_ATTRIBUTE.
_BLOCKQUOTE_TAGS = re.compile(rf'<blockquote(?: {QUOTE_ATTRIBUTE}="(\d+)")?>|</blockquote>')


def quoted_post_ids(html: str) -> set[int]:
    """The ids of the posts quoted in stored HTML (also in quotes of quotes)."""
    if QUOTE_ATTRIBUTE not in html:
        return set()
    return {int(post_id) for post_id in re.findall(rf'<blockquote {QUOTE_ATTRIBUTE}="(\d+)">', html)}


def replace_quotes(html: str, placeholders: dict[int, str]) -> str:
    """Stored HTML with the content of every quote of a post in `placeholders` replaced by that post's
    placeholder text (escaped here); quotes nested in a replaced quote go with it."""
    if not placeholders:
        return html
    parts, position, depth, replaced_at = [], 0, 0, None
    for match in _BLOCKQUOTE_TAGS.finditer(html):
        if match.group(0) == "</blockquote>":
            depth -= 1
            if replaced_at is not None and depth <= replaced_at:
                position, replaced_at = match.start(), None
            continue
        depth += 1
        if replaced_at is None and match.group(1) and int(match.group(1)) in placeholders:
            parts.append(html[position:match.end()])
            parts.append(f'\n<p class="quote-unavailable"><em>{escape(placeholders[int(match.group(1))])}</em></p>\n')
            replaced_at = depth - 1
    if replaced_at is None:  # an unclosed quote (never in bleach's output) takes the rest with it
        parts.append(html[position:])
    return "".join(parts)


# A tag of stored HTML: bleach serialises every tag whole, quotes every attribute value and escapes "<" in text,
# so a tag ends at the first ">" outside quotes.
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")


def plain_text(html: str) -> str:
    """Readable plain text of stored, sanitised HTML (calendar descriptions, the search index): a line per
    paragraph, heading and list item, bullets for list items, no markup characters and no HTML entities. The
    tags are cut out by pattern, which is exact only for HTML that render() wrote; parsing it again with bleach
    gave the same words at a tenth of the speed (`reindex` of a million posts spent most of its time there)."""
    text = re.sub(r"<li[^>]*>", "• ", html or "")
    text = re.sub(r"<br\s*/?>\s*", "\n", text)
    text = re.sub(r"</(li|tr)>\s*", "\n", text)
    text = re.sub(r"</(p|h[1-6]|blockquote|pre|ul|ol|table)>\s*", "\n\n", text)
    text = unescape(_TAG.sub("", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- quotes of posts in markdown (write side, and the sources offered for editing and quoting) --------------

_QUOTE_MARKERS = re.compile(r"(?:[ \t]{0,3}>[ \t]?)*")
_LEADING_LINK = re.compile(r"\[(?:\\.|[^\]\\\n])*\]\(([^()\s]+)\)")
_FENCE = re.compile(r"[ \t]{0,3}(?:```|~~~)")


@dataclass(frozen=True)
class QuoteBlock:
    """The lines (first to last, inclusive) of a quote of a post in a markdown source: the first one holds the
    link to the post after `depth` quote markers."""

    post_id: int
    depth: int
    first: int
    last: int
    link: str


def _split_line(line: str) -> tuple[int, str]:
    """(number of quote markers, the rest of the line)."""
    markers = _QUOTE_MARKERS.match(line).group(0)
    return markers.count(">"), line[len(markers):]


def _leading_post_link(content: str, quote_links: re.Pattern) -> tuple[int, str] | None:
    match = _LEADING_LINK.match(content)
    link = quote_links.fullmatch(match.group(1)) if match else None
    return (int(link.group(1)), match.group(1)) if link else None


def quote_blocks(source: str, quote_links: re.Pattern) -> list[QuoteBlock]:
    """Every quote of a post in a markdown source (nested ones too), as render() reads them: from a quote line
    starting with a link to a post to the line before the next such line at the same or a lower depth, or to
    the end of the quote (a line with fewer markers that is blank or follows a blank one; other lines with fewer
    markers continue the quoted paragraph, as markdown reads them). Fenced code is skipped."""
    lines = [_split_line(line) for line in source.replace("\r\n", "\n").split("\n")]
    blocks, in_code = [], False
    for index, (depth, content) in enumerate(lines):
        if depth == 0 and _FENCE.match(content):
            in_code = not in_code
        if in_code or depth == 0:
            continue
        found = _leading_post_link(content, quote_links)
        if found is None:
            continue
        last = index
        for following in range(index + 1, len(lines)):
            level, text = lines[following]
            if level <= depth and _leading_post_link(text, quote_links):
                break
            if level < depth and (not text.strip() or not lines[following - 1][1].strip()):
                break
            last = following
        blocks.append(QuoteBlock(found[0], depth, index, last, found[1]))
    return blocks


def _separate_quotes(source: str, quote_links: re.Pattern) -> str:
    """The source with a blank quote line before every quote of a post that would otherwise continue the text
    above it, so that the quote starts a paragraph (and so a blockquote) of its own."""
    lines = source.replace("\r\n", "\n").split("\n")
    starts = {}
    for block in quote_blocks(source, quote_links):
        if block.first:
            depth, content = _split_line(lines[block.first - 1])
            if content.strip() and depth >= block.depth:
                starts[block.first] = block.depth
    if not starts:
        return source
    return "\n".join(line if index not in starts else ">" * starts[index] + "\n" + line
                     for index, line in enumerate(lines))


def replace_quoted_sources(source: str, quote_links: re.Pattern, placeholders: dict[int, str]) -> str:
    """A markdown source with every quote of a post in `placeholders` cut down to one line: a link to the post
    with that post's placeholder as its text (quotes nested in it go with it)."""
    return cut_quotes(source, quote_links, placeholders)[0]


def cut_quotes(source: str, quote_links: re.Pattern, placeholders: dict[int, str]) -> tuple[str, list[tuple[str, str]]]:
    """replace_quoted_sources(), and for each quote cut (line put in its place, the quote's lines as they were)."""
    if not placeholders:
        return source, []
    lines = source.replace("\r\n", "\n").split("\n")
    replaced: dict[int, str] = {}
    cut: list[tuple[str, str]] = []
    skipped: set[int] = set()
    for block in quote_blocks(source, quote_links):
        if block.post_id in placeholders and block.first not in skipped:
            text = re.sub(r"([\\`*_\[\]])", r"\\\1", placeholders[block.post_id])
            replaced[block.first] = f"{'> ' * block.depth}[{text}]({block.link})"
            cut.append((replaced[block.first], "\n".join(lines[block.first:block.last + 1])))
            skipped.update(range(block.first + 1, block.last + 1))
    if not cut:
        return source, []
    return "\n".join(replaced.get(index, line) for index, line in enumerate(lines) if index not in skipped), cut
