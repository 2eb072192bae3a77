"""The ABC-Extranet: create_app() wires config → extensions → inputs → blueprints → errors → security → cli."""
from __future__ import annotations

import importlib
from pathlib import Path

from flask import Flask, request, session, url_for
from flask_login import current_user
from jinja2 import pass_context
from werkzeug.middleware.proxy_fix import ProxyFix

from forum import dates, inputs
from forum.config import load_config
from forum.extensions import babel, csrf, db, limiter, login_manager, migrate
from forum.languages import lang_attribute
from forum.queries import page_window

ROOT = Path(__file__).resolve().parent.parent
# The domain packages with pages, in the order their blueprints are registered.
BLUEPRINT_PACKAGES = ("main", "accounts", "organisations", "events", "ideas", "discussion", "admin", "moderation",
                      "notifications", "pages", "search", "statistics", "announcements", "privacy",
                      "feedback")


def create_app(overrides: dict | None = None) -> Flask:
    """Build a configured app; `overrides` lets tests and the benchmark replace settings."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    load_config(app, overrides)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    _import_models()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    limiter.init_app(app)

    inputs.init_app(app)  # before the blueprints: their routes use its URL converters

    # Each package names its view modules; they are imported here (not in the packages' __init__), so a model
    # module can be imported without pulling in views, forms and services.
    for name in BLUEPRINT_PACKAGES:
        package = importlib.import_module(f"forum.{name}")
        for module in package.VIEW_MODULES:
            importlib.import_module(f"forum.{name}.{module}")
        app.register_blueprint(package.bp)

    # Imported when an app is built, not with the package: `import forum.config` (gunicorn.conf.py) stays light.
    from forum import cli, errors, security

    errors.init_app(app)
    security.init_app(app)
    cli.init_app(app)
    _init_templates(app)
    return app


def _import_models() -> None:
    """Every model module, so metadata (and Alembic's autogenerate) sees every table. Imported when an app is
    built (not with the package), like the views and cli below."""
    import forum.accounts.models  # noqa: F401
    import forum.announcements.models  # noqa: F401
    import forum.audit  # noqa: F401
    import forum.discussion.models  # noqa: F401
    import forum.events.models  # noqa: F401
    import forum.feedback.models  # noqa: F401
    import forum.guard  # noqa: F401  (GuardEvent)
    import forum.ideas.models  # noqa: F401
    import forum.moderation.models  # noqa: F401
    import forum.notifications.models  # noqa: F401
    import forum.organisations.models  # noqa: F401
    import forum.pages.models  # noqa: F401
    import forum.privacy.models  # noqa: F401
    import forum.search.models  # noqa: F401
    import forum.storage  # noqa: F401  (StoredFile)


def select_locale() -> str:
    """The user's saved language, else the one chosen in this session, else German."""
    languages = ("de", "en")
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get("language") if request else None
    return chosen if chosen in languages else "de"


def url_for_page(number: int) -> str:
    """The current list URL with its filters, at another page."""
    arguments = {**request.args.to_dict(), "page": number}
    return url_for(request.endpoint, **(request.view_args or {}), **arguments)


def _init_templates(app: Flask) -> None:
    from forum.permissions import post_shown_as, template_predicates  # with the app, like the views (create_app)

    app.jinja_env.globals.update(can=template_predicates, post_shown_as=post_shown_as, get_locale=select_locale,
                                 url_for_page=url_for_page, page_window=page_window)
    app.jinja_env.filters.update(date=dates.format_date, datetime=dates.format_datetime, time=dates.format_time)
    # pass_context: evaluated per request; Jinja would fold `"de" | lang` into the template once.
    app.jinja_env.filters["lang"] = pass_context(
        lambda _context, written, text=None: lang_attribute(written, select_locale(), text))
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
