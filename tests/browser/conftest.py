"""Browser fixtures: the app on a live server (real CSRF), Debian's Chromium through Playwright, mail (the page
helpers — logging in, axe-core, reflow — are in tests/helpers.py).

The browser tests never request the `app` fixture of tests/conftest.py, so they run once, on their own SQLite file,
independent of the SQLite/PostgreSQL parametrisation of the other tests.
"""
from __future__ import annotations

import email
import email.policy
import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from forum.extensions import db
from tests.helpers import make_test_app, skip_or_fail

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


# --- the live server ----------------------------------------------------------------------------------------

@dataclass
class LiveServer:
    """The running app: its URL, the app object (for seeding and the CLI) and its mail folder."""

    app: object
    url: str
    mail_dir: Path

    def seed(self, build):
        """Run build() in an app context, commit, and return what it returned (ids and plain values only)."""
        with self.app.app_context():
            result = build()
            db.session.commit()
            db.session.remove()
        return result

    def deliver_mail(self) -> None:
        """Send the outbox through the real `send-mail` command (file backend → MAIL_DIR)."""
        result = self.app.test_cli_runner().invoke(args=["send-mail"])
        assert result.exit_code == 0, f"send-mail failed:\n{result.output}\n{result.exception!r}"

    def newest_mail(self, recipient: str) -> email.message.EmailMessage:
        """Deliver pending mail, then the newest message to recipient."""
        self.deliver_mail()
        found = []
        for path in self.mail_dir.glob("*.eml"):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if str(message["To"]).strip().lower() == recipient.lower():
                stamp, _, number = path.stem.partition("-")
                found.append(((stamp, int(number)), message))
        assert found, f"no mail to {recipient} in {self.mail_dir}"
        return max(found, key=lambda item: item[0])[1]

    def link_in_newest_mail(self, recipient: str, path_fragment: str) -> tuple[str, str]:
        """(subject, first absolute link containing path_fragment) of the newest mail to recipient."""
        message = self.newest_mail(recipient)
        body = message.get_body(preferencelist=("plain",)).get_content()
        for url in re.findall(r"https?://\S+", body):
            if path_fragment in url:
                assert url.startswith(self.url), f"mail link {url} does not point at the live server {self.url}"
                return str(message["Subject"]), url
        raise AssertionError(f"no link with {path_fragment!r} in the mail to {recipient}:\n{body}")


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request (errors are still logged)."""

    def log_request(self, code="-", size="-") -> None:
        pass


def read_files_at_once(response):
    """Static files (and other file downloads) read into the response at once: when the browser drops a request
    (the favicon during a navigation), werkzeug's development server skips closing the response's open file,
    and pytest reports the ResourceWarning as a failure of whichever test runs when it is collected."""
    if response.direct_passthrough:
        body = response.response
        try:
            data = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        response.direct_passthrough = False
        response.set_data(data)
    return response


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    database = tmp_path_factory.mktemp("browser-db") / "browser.sqlite"
    app = make_test_app(f"sqlite:///{database}", tmp_path_factory, WTF_CSRF_ENABLED=True)
    app.after_request(read_files_at_once)
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(app=app, url=url, mail_dir=Path(app.config["MAIL_DIR"]))
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        db.engine.dispose()


# --- the browser --------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() or not shutil.which(CHROMIUM):
        skip_or_fail(f"Browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("Browser tests need Playwright for Python (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except Exception as error:  # noqa: BLE001 - any launch problem means "no usable browser"
            skip_or_fail(f"Chromium at {CHROMIUM} does not start under Playwright: {error}")
        yield browser
        browser.close()


@dataclass
class PageProblems:
    """What a page reported that a user would never see: JS errors, CSP violations, failing sub-resources."""

    documents: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def on_console(self, message) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        # A page answered deliberately with 400/404 (an invalid link) is logged as a failed load; the test
        # checks the page itself. Failing sub-resources are caught in on_response.
        if message.text.startswith("Failed to load resource") and url in self.documents:
            return
        self.problems.append(f"console error: {message.text} ({url})")

    def on_page_error(self, error) -> None:
        self.problems.append(f"JavaScript error: {error}")

    def on_response(self, response) -> None:
        if response.request.resource_type == "document":
            self.documents.add(response.url)
        elif response.status >= 400:
            self.problems.append(f"{response.status} for {response.request.resource_type} {response.url}")

    def assert_none(self) -> None:
        problems, self.problems = self.problems, []
        if problems:
            pytest.fail("The page reported problems:\n" + "\n".join(problems))


@pytest.fixture
def new_page(browser, live_server):
    """new_page(): a page in a fresh browser context (own cookies), watched for JS errors and CSP violations."""
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server.url, locale="de-DE", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        problems = PageProblems()
        page.on("console", problems.on_console)
        page.on("pageerror", problems.on_page_error)
        page.on("response", problems.on_response)
        page.problems = problems
        return page

    yield make
    pages = [page for context in contexts for page in context.pages]
    try:
        for page in pages:
            page.problems.assert_none()
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def page(new_page):
    return new_page()
