"""Every page, in German and English, as every role of the crawl (tests/test_crawl.py): axe-core (WCAG 2.1 A/AA)
and a keyboard walk — Tab from the top: the skip link comes first, the focus is always visible and in the window,
and it only moves forward (no trap). The URLs are the crawl's list (its `argument_values()` over the demo data,
`route_urls()`), one per endpoint. To keep it quick: each page is first fetched without rendering and opened in the
browser only when its shape is new; one browser page per role and language, axe injected into each document by the
browser itself, no waits beyond the page load; the walk is at most WALK_TABS presses per page."""
from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from forum.accounts.models import User
from forum.extensions import db
from forum.security import PUBLIC_ENDPOINTS
from tests import helpers
from tests.browser.conftest import QuietRequestHandler, read_files_at_once
from tests.helpers import AXE_RUN, _axe_source, make_test_app
from tests.test_crawl import LANGUAGES, ROLES, argument_values, route_urls

WALK_TABS = 8  # presses of Tab per page at 320 px: skip link, title, menu button, then the content

# Installed before the walk: records each element the focus lands on, with what makes its focus visible.
RECORD_FOCUS = """() => {
  window.__walk = [];
  document.addEventListener('focusin', (event) => {
    const element = event.target, style = getComputedStyle(element), rect = element.getBoundingClientRect();
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const after = getComputedStyle(element, '::after');
    const afterOutline = after.outlineStyle !== 'none' && parseFloat(after.outlineWidth) > 0;
    const index = Array.prototype.indexOf.call(document.querySelectorAll('*'), element);
    window.__walk.push({
      index, tag: element.tagName.toLowerCase(), text: (element.textContent || element.value || '').trim().slice(0, 40),
      id: element.id, classes: element.className && element.className.baseVal === undefined ? element.className : '',
      visible: outline || afterOutline || style.boxShadow !== 'none',
      inWindow: rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0
                && rect.top < innerHeight && rect.left < innerWidth,
    });
  }, true);
  return !!document.querySelector('.skip-link');
}"""


def one_url_per_endpoint(app) -> dict[str, str]:
    """{endpoint: its first URL} of the crawl's list (the first value of each argument is a real row)."""
    urls, _unfilled = route_urls(app, argument_values())
    adapter = app.url_map.bind("localhost")
    chosen: dict[str, str] = {}
    for url in urls:
        endpoint, _arguments = adapter.match(urlsplit(url).path, method="GET")
        chosen.setdefault(endpoint, url)
    return chosen


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The demo data (`flask seed-demo`) on a live server of its own."""
    database = tmp_path_factory.mktemp("walk-db") / "walk.sqlite"
    # static files cached by the browser without asking again: each page costs its own request only
    app = make_test_app(f"sqlite:///{database}", tmp_path_factory, WTF_CSRF_ENABLED=True,
                        SEND_FILE_MAX_AGE_DEFAULT=3600)
    app.after_request(read_files_at_once)
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        urls = one_url_per_endpoint(app)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="walk-server", daemon=True)
    thread.start()
    yield app, url, urls
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        db.engine.dispose()


def session_cookie(app, email: str | None, language: str) -> str:
    """The session cookie of a complete login as `email` (None: anonymous) in the language, as the crawl's
    clients have it (tests/test_crawl.py client_for)."""
    with app.app_context():
        client = app.test_client()
        with client.session_transaction() as session:
            if email is None:
                session["language"] = language
            else:
                user = db.session.scalar(select(User).where(User.email == email))
                user.language = language
                login_id = helpers.session_id(user) if hasattr(helpers, "session_id") else user.get_id()
                session["_user_id"] = login_id
                session["_fresh"] = True
        db.session.commit()
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        db.session.remove()
    return cookie.value


def problems_of_walk(walk: list[dict], has_skip_link: bool) -> list[tuple[str, str]]:
    """(problem, detail) of one page's walk. Past the last stop the focus leaves the page and comes back to the
    skip link: the walk ends there (a trap would keep it inside)."""
    problems = []
    if has_skip_link and (not walk or "skip-link" not in walk[0]["classes"]):
        problems.append(("the first Tab does not reach the skip link", str(walk[0] if walk else None)))
    for step, (before, after) in enumerate(zip(walk, walk[1:]), start=1):
        if after["index"] <= before["index"]:
            if not (has_skip_link and "skip-link" in after["classes"]):
                problems.append(("Tab goes back or stays (a trap)", f"{before['tag']} '{before['text']}' → "
                                                                    f"{after['tag']} '{after['text']}'"))
            walk = walk[:step]
            break
    for focused in walk:
        what = f"{focused['tag']}.{focused['classes']} '{focused['text']}'"
        if not focused["visible"]:
            problems.append(("no visible focus", what))
        elif not focused["inWindow"]:
            problems.append(("focus outside the window", what))
    return problems


# The page's shape without its text: a page whose shape was checked already (the same page of another role or in
# the other language, or the same list with more or fewer rows) is not opened in the browser again — axe and the
# walk would find the same. Read from the HTML the server sends (cheap), so only pages of a new shape cost a
# browser load.
TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(\s[^>]*)?>")
ATTRIBUTE = re.compile(r'([a-zA-Z-]+)(?:="([^"]*)")?')
LONGEST_REPEAT = 40  # elements of a repeated block (a list row, a post, a table row) written once in a shape


def shape_of(html: str) -> int | None:
    """A hash of the body's elements with the attributes that matter to axe and the keyboard, each run of a
    repeated block counted once (None: no page)."""
    if not html.lstrip().lower().startswith("<!doctype"):
        return None  # an HTML fragment for a live region, not a page
    body = html[html.find("<body"):]
    parts = []
    for name, attributes in TAG.findall(body):
        found = dict(ATTRIBUTE.findall(attributes or ""))
        parts.append(hash("|".join([name.lower(), found.get("class", ""), found.get("role", ""),
                                    found.get("type", ""), str("aria-label" in found), found.get("tabindex", "")])))
    return hash(tuple(without_repeats(parts)))


def without_repeats(parts: list[int]) -> list[int]:
    """The sequence with every run of a block repeated back to back written once ([a, b, a, b, c] → [a, b, c]),
    for blocks of up to LONGEST_REPEAT elements, until nothing repeats."""
    changed = True
    while changed:
        changed = False
        for length in range(1, LONGEST_REPEAT + 1):
            kept, start = [], 0
            while start < len(parts):
                end = start + length
                if end < len(parts) and parts[end] == parts[start] and parts[end:end + length] == parts[start:end]:
                    while parts[end:end + length] == parts[start:start + length]:
                        end += length
                    kept += parts[start:start + length]
                    start, changed = end, True
                else:
                    kept.append(parts[start])
                    start += 1
            parts = kept
    return parts


def test_every_page_passes_axe_and_a_keyboard_walk_in_both_languages_as_every_role(browser, demo_server):
    app, base_url, urls = demo_server
    axe = _axe_source()
    found: dict[str, list[str]] = defaultdict(list)
    shapes: set[int] = set()
    visited = checked = 0
    started = time.perf_counter()
    for role, email in ROLES.items():
        endpoints = [endpoint for endpoint in urls if email or endpoint in PUBLIC_ENDPOINTS]
        for language in LANGUAGES:
            context = browser.new_context(base_url=base_url, locale="de-DE", viewport={"width": 1280, "height": 900})
            context.add_init_script(axe)  # in every document, before its own scripts, outside its CSP
            cookie = session_cookie(app, email, language)
            context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "url": base_url, "value": cookie}])
            reader = app.test_client()  # the same login, to read each page's HTML without the browser
            reader.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
            page = context.new_page()
            for endpoint in endpoints:
                url = urls[endpoint]
                visited += 1
                answer = reader.get(url, follow_redirects=True)  # in-process, no rendering
                if answer.mimetype != "text/html":
                    continue  # files (calendars, CSV, PDF) are downloads, not pages
                shape = shape_of(answer.get_data(as_text=True))
                if shape is None or shape in shapes:
                    continue
                shapes.add(shape)
                page.goto(url, wait_until="domcontentloaded")  # stylesheets are in by then
                checked += 1
                where = f"{url} as {role} ({language})"
                for violation in page.evaluate(AXE_RUN)["violations"]:
                    targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
                    found[f"axe {violation['id']}: {violation['help']}"].append(f"{where}: {targets}")
                # The walk at 320 px: the header is three stops (skip link, title, menu), then the content.
                page.set_viewport_size({"width": 320, "height": 640})
                # a link to a post lands at it: the walk starts there, not at the skip link
                has_skip_link = page.evaluate(RECORD_FOCUS) and "#" not in page.url
                for _press in range(WALK_TABS):
                    page.keyboard.press("Tab")
                for problem, detail in problems_of_walk(page.evaluate("() => window.__walk"), has_skip_link):
                    found[problem].append(f"{where}: {detail}")
                page.set_viewport_size({"width": 1280, "height": 900})
            context.close()
    elapsed = time.perf_counter() - started
    print(f"\nevery page: {len(urls)} endpoints; {visited} pages visited as {len(ROLES)} roles in "
          f"{len(LANGUAGES)} languages, {checked} of them different: axe and {WALK_TABS} Tabs each; {elapsed:.1f} s")
    report = [f"{problem} ({len(places)}×)\n    " + "\n    ".join(places[:6]) for problem, places in found.items()]
    assert not found, "Accessibility problems:\n" + "\n".join(report)
