"""@mentions in posts: `@Vorname Nachname` or `@[Vorname Nachname]`, resolved against active users' names.

A mention becomes a markdown link to the person's organisation page before the text is rendered (markup.render
sanitises, so the link must be markdown, not HTML). Unknown or ambiguous names stay plain text; mentions inside
code and inside links are left alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app, has_request_context, url_for
from sqlalchemy import func, or_, select

from forum import markup
from forum.accounts.models import User
from forum.extensions import db
from forum.permissions import visible_members

MAX_WORDS = 4  # "@Anna-Lena von der Heide" has four
MAX_MENTIONS = 20  # more are left as text, so one post cannot notify a whole Jobcenter
SUGGESTIONS_MAX = 8
SUGGEST_FROM_CHARS = 2  # letters typed after "@" before names are suggested
_MENTION = re.compile(r"(?<![\w@/\\\[`])@(?:\[([^\]\n]{1,120})\]|([^\W\d_][\w.'-]*(?:[ \u00a0]+[^\W\d_][\w.'-]*)*))")
_WORD_SPLIT = re.compile(r"[ \u00a0]+")
# Where a mention is not one: code blocks and spans, and the text and target of markdown links.
_PROTECTED = re.compile(r"^(```|~~~)[^\n]*\n.*?^\1[ \t]*$|(`+).+?\2|\[[^\]\n]*\]\([^)\n]*\)|<[^>\n]*>",
                        re.MULTILINE | re.DOTALL)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|])")


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    names: tuple[str, ...]  # the name typed, longest reading first (plain form: 4, 3, 2, 1 words)
    bracketed: bool


def link_mentions(source: str) -> tuple[str, list[User]]:
    """The source with every resolvable mention as a markdown link, and the people mentioned (each once)."""
    candidates = _candidates(source)
    if not candidates:
        return source, []
    people = _active_users_named({name for candidate in candidates for name in candidate.names})
    parts, position, mentioned = [], 0, []
    for candidate in candidates:
        for name in candidate.names:
            matches = people.get(name.casefold(), [])
            if matches:
                break
        else:
            continue
        if len(matches) != 1:  # two people of that name: nobody is linked rather than the wrong one
            continue
        person = matches[0]
        parts += [source[position:candidate.start], mention_of(person.stored_name, person.organisation_id)]
        position = _mention_end(source, candidate, name)
        if person not in mentioned:
            mentioned.append(person)
    parts.append(source[position:])
    return "".join(parts), mentioned


def rename_mentions(source: str, name: str, new: str) -> str:
    """The source with each mention of `name` (as typed: plain or bracketed, any case) written as `@new`
    (account deletion; the caller checks that the mentions were of the person, see linked_mention())."""
    parts, position, wanted = [], 0, name.casefold()
    for candidate in _candidates(source):
        if wanted not in (reading.casefold() for reading in candidate.names):
            continue
        parts += [source[position:candidate.start], f"@{new}"]
        position = _mention_end(source, candidate, name)
    parts.append(source[position:])
    return "".join(parts)


def linked_mention(name: str, organisation_id: int) -> str:
    """How a mention of the person stands in a post's stored HTML: the name, linked to their organisation."""
    return markup.render(mention_of(name, organisation_id)).removeprefix("<p>").removesuffix("</p>")


def _candidates(source: str) -> list[_Candidate]:
    protected = [match.span() for match in _PROTECTED.finditer(source)]
    found = []
    for match in _MENTION.finditer(source):
        if any(start <= match.start() < end for start, end in protected):
            continue
        if match.group(1) is not None:
            name = " ".join(match.group(1).split())
            found.append(_Candidate(match.start(), match.end(), (name,), True))
        else:
            words = _WORD_SPLIT.split(match.group(2))[:MAX_WORDS]
            names = tuple(dict.fromkeys(" ".join(words[:count]).rstrip(".'-")
                                        for count in range(len(words), 0, -1)))
            found.append(_Candidate(match.start(), match.end(), names, False))
        if len(found) == MAX_MENTIONS:
            break
    return found


def _mention_end(source: str, candidate: _Candidate, name: str) -> int:
    """Where a mention read as `name` ends in the source: a bracketed one at its bracket, a plain one after the
    name's words as typed (the rest of the words is text)."""
    if candidate.bracketed:
        return candidate.end
    return candidate.start + 1 + _typed_length(source[candidate.start + 1:candidate.end], name)


def _typed_length(typed: str, name: str) -> int:
    """How many characters of the text after "@" the matched name covers (its words, with their spacing)."""
    words = _WORD_SPLIT.split(name)
    pattern = r"[ \u00a0]+".join(re.escape(word) for word in words)
    match = re.match(pattern, typed, re.IGNORECASE)
    return match.end() if match else len(name)


def _active_users_named(names: set[str]) -> dict[str, list[User]]:
    """{casefolded name: active users with exactly that display name}, in one query.

    SQLite's lower() folds only ASCII letters, so each name is also sent folded that way; the exact,
    case-insensitive comparison is then made in Python.
    """
    variants = {name.lower() for name in names} | {_ascii_lower(name) for name in names}
    users = db.session.scalars(select(User).where(User.status == "active",
                                                  func.lower(User.display_name).in_(variants)))
    wanted = {name.casefold() for name in names}
    found: dict[str, list[User]] = {}
    for user in users:
        key = user.display_name.casefold()
        if key in wanted:
            found.setdefault(key, []).append(user)
    return found


def _ascii_lower(text: str) -> str:
    return "".join(char.lower() if char.isascii() else char for char in text)


def mention_of(name: str, organisation_id: int) -> str:
    """A resolved mention in the source: the name, linked to the person's organisation page."""
    return f"[@{_escape(name)}]({_organisation_path(organisation_id)})"


def _escape(name: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", name)


def _organisation_path(organisation_id: int) -> str:
    """The organisation page's path, also outside a request (the `rerender` command)."""
    if has_request_context():
        return url_for("organisations.show", organisation_id=organisation_id)
    adapter = current_app.url_map.bind("localhost")
    return adapter.build("organisations.show", {"organisation_id": organisation_id})


# --- suggestions while typing --------------------------------------------------------------------------------

def suggest(user, typed: str) -> list[dict[str, str]]:
    """Up to SUGGESTIONS_MAX people the user may see and mention whose name, or a word of it, starts with `typed`:
    [{"name": display name, "handle": what to write}], by name. Only active accounts (mentions resolve only those)
    and only names one person has (a shared name links nobody, see link_mentions)."""
    typed = " ".join(typed.split())
    if len(typed) < SUGGEST_FROM_CHARS:
        return []
    # SQLite's ILIKE folds only ASCII letters: the capitalised variant finds "Özdemir" from "öz" there too.
    patterns = {_escape_like(variant) for variant in (typed, typed[:1].upper() + typed[1:])}
    name = User.display_name
    query = (select(name).where(User.status == "active", or_(*(
        condition for pattern in patterns for condition in (name.ilike(f"{pattern}%", escape="\\"),
                                                            name.ilike(f"% {pattern}%", escape="\\")))))
             .group_by(name).having(func.count(User.id) == 1).order_by(name).limit(SUGGESTIONS_MAX))
    return [{"name": each, "handle": mention_handle(each)} for each in db.session.scalars(visible_members(user, query))]


def mention_handle(name: str) -> str:
    """How to mention the person: "@Vorname Nachname" when link_mentions reads the whole name that way, else
    "@[Name]" (digits, brackets, more than MAX_WORDS words …)."""
    plain = _MENTION.fullmatch(f"@{name}")
    if plain and plain.group(2) == name and len(_WORD_SPLIT.split(name)) <= MAX_WORDS:
        return f"@{name}"
    return f"@[{name}]"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
