"""German text for the search index and for queries: the same words on both databases.

Both engines (PostgreSQL's tsvector, SQLite's FTS5) receive *terms*, not raw text: every word is lower-cased,
umlauts and ß are folded the way Germans type them without the keys (ä → ae, ß → ss, so Müller = Mueller and
Straße = Strasse; other accents are dropped) and stemmed with the Snowball German stemmer (the algorithm behind
PostgreSQL's `german` configuration), so Beratungen finds Beratung and Jobcentern finds Jobcenter. Words with
digits (16i, 16a, 2026) are kept as written; "§" is a separator, so "§ 16i" and "§16i" find "16i". Doing this
once in Python is what makes both databases give the same results.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
from markupsafe import Markup, escape

MAX_QUERY_CHARS = 200  # a longer query gets a message (a search field, not a text box)
MAX_QUERY_WORDS = 12
MIN_PREFIX_CHARS = 3  # "Be*" would match half the German language
_WORD = re.compile(r"[^\W_]+")
_FOLDS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_STEMMER = snowballstemmer.stemmer("german")


def fold(word: str) -> str:
    """Lower case, umlauts as two letters, ß as ss, no other accents."""
    word = word.lower().translate(_FOLDS)
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=100_000)
def term(word: str) -> str:
    """The index term of one word: folded, and stemmed unless it holds a digit."""
    folded = fold(word)
    if any(char.isdigit() for char in folded):
        return folded
    return _STEMMER.stemWord(folded)


def terms(text: str) -> str:
    """The index terms of a text, in order, separated by spaces (positions matter for phrases)."""
    return " ".join(term(word) for word in _WORD.findall(text or ""))


# --- queries ------------------------------------------------------------------------------------------------

@dataclass
class Query:
    """A parsed search: groups of terms that must all occur (a group of several is a phrase), groups that must
    not occur, and whether the last required term is a prefix (the word still being typed)."""

    required: list[list[str]] = field(default_factory=list)
    excluded: list[list[str]] = field(default_factory=list)
    prefix_last: bool = False
    any_of: bool = False  # one of the groups is enough (similar ideas), ranked by how many and how well

    @property
    def is_empty(self) -> bool:
        return not self.required

    @property
    def highlighted(self) -> frozenset[str]:
        return frozenset(t for group in self.required for t in group)


_QUERY_PART = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')


def parse(text: str) -> Query:
    """A query as people type it: words (all must occur), "a phrase", -excluded; the last plain word also
    matches as the start of a longer word (it may still be being typed: "Schuldnerber")."""
    query = Query()
    text = (text or "").strip()
    last_plain = None
    for match in _QUERY_PART.finditer(text):
        if match.group(2) is not None:
            negated, words, quoted = match.group(1), match.group(2), True
        else:
            negated, words, quoted = match.group(3), match.group(4), False
        group = [term(word) for word in _WORD.findall(words)]
        if not group:
            continue
        if negated:
            query.excluded.append(group)
        else:
            query.required.append(group)
            last_plain = None if quoted else group
    if last_plain is not None and len(last_plain) == 1 and len(last_plain[0]) >= MIN_PREFIX_CHARS \
            and query.required[-1] is last_plain:
        query.prefix_last = True
    return query


# Words that say nothing about what an idea is about; left out when looking for similar ideas.
STOP_WORDS = frozenset(terms_ for terms_ in """
aber alle als also am an auch auf aus bei bis damit dann das dass dem den der des die dies diese dieser durch ein
eine einem einen einer es für gibt hat haben ihr im in ist jobcenter jedes kann mehr mit nach nicht noch nur oder
sich sie sind so über um und uns unser unsere vom von vor wie wir wird werden zu zum zur zwischen
""".split())


def any_of(text: str, *, limit: int = 16) -> Query:
    """A query for texts that share words with `text` (similar ideas): its distinct meaningful words, any of
    which may occur (Query.any_of); short and stop words are left out."""
    seen: list[str] = []
    for word in _WORD.findall(text or ""):
        if len(word) < 4 or word.lower() in STOP_WORDS:
            continue
        t = term(word)
        if t not in seen:
            seen.append(t)
    return Query(required=[[t] for t in seen[:limit]], any_of=True)


def fts5_expression(query: Query) -> str:
    """The query in SQLite FTS5's syntax. Terms are [^\\W_]+ only, so quoting them is all the escaping needed."""
    def group(terms_: list[str], prefix: bool = False) -> str:
        return '"' + " ".join(terms_) + '"' + ("*" if prefix else "")

    parts = [group(g, query.prefix_last and i == len(query.required) - 1) for i, g in enumerate(query.required)]
    expression = (" OR " if query.any_of else " AND ").join(parts)
    for excluded in query.excluded:
        expression += " NOT " + group(excluded)
    return expression


def tsquery_expression(query: Query) -> str:
    """The query in PostgreSQL's to_tsquery syntax: & between groups, <-> inside a phrase, :* for the prefix,
    !( ) for excluded groups."""
    def group(terms_: list[str], prefix: bool = False) -> str:
        words = [f"'{t}'" for t in terms_]
        if prefix:
            words[-1] += ":*"
        return "(" + " <-> ".join(words) + ")"

    parts = [group(g, query.prefix_last and i == len(query.required) - 1) for i, g in enumerate(query.required)]
    if query.any_of:
        return " | ".join(parts)
    parts += ["!" + group(g) for g in query.excluded]
    return " & ".join(parts)


# --- snippets -----------------------------------------------------------------------------------------------

SNIPPET_WORDS = 32


def snippet(text: str, query: Query, *, words: int = SNIPPET_WORDS) -> Markup:
    """A short passage of plain `text` around the first matched word, escaped, with every matched word in
    <mark>; the start of the text when nothing matches (e.g. a match in the title)."""
    text = " ".join((text or "").split())
    found = list(_WORD.finditer(text))
    if not found:
        return Markup("")
    wanted = query.highlighted
    prefix = query.required[-1][-1] if query.prefix_last else None

    def matches(word: str) -> bool:
        t = term(word)
        return t in wanted or (prefix is not None and (t.startswith(prefix) or fold(word).startswith(prefix)))

    # Only the words up to the passage's end are looked at (an idea's text has hundreds; 20 results took 5 ms).
    hit = next((i for i, match in enumerate(found) if matches(match.group())), 0)
    first = max(0, hit - words // 4)
    last = min(len(found), first + words)
    marked = {i for i in range(hit, last) if matches(found[i].group())}
    start = found[first].start() if first else 0
    end = found[last - 1].end() if last < len(found) else len(text)
    parts = [Markup("… ") if start else Markup("")]
    position = start
    for i in range(first, last):
        match = found[i]
        if i in marked:
            parts.append(escape(text[position:match.start()]))
            parts.append(Markup("<mark>%s</mark>") % match.group())
            position = match.end()
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append(Markup(" …"))
    return Markup("").join(parts)
