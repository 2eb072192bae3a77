"""Configuration: one class per environment; secrets only from FORUM_* environment variables."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def env(name: str, default: str | None = None) -> str | None:
    """Read one FORUM_* setting; the only place that touches os.environ."""
    return os.environ.get(f"FORUM_{name}", default)


class Config:
    """Settings shared by every environment."""

    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SECRET_KEY: str | None = None

    # Sessions: one UserSession row per login (see accounts.sessions), so each can be listed and ended; cookies
    # never readable by JS. Office use: a login lasts a working day (12 h) and ends after 2 h without a request;
    # with "Angemeldet bleiben" it lasts 30 days whatever the pauses. Both ends are checked on the server.
    SESSION_COOKIE_NAME = "abc_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_IDLE_TIMEOUT = timedelta(minutes=int(env("SESSION_IDLE_MINUTES", "120") or 120))
    PERMANENT_SESSION_LIFETIME = timedelta(hours=int(env("SESSION_HOURS", "12") or 12))  # the absolute lifetime
    SESSION_TOUCH_INTERVAL = timedelta(minutes=5)  # last_seen_at is written at most this often (not per request)
    REMEMBER_COOKIE_NAME = "abc_remember"
    REMEMBER_COOKIE_DURATION = timedelta(days=int(env("REMEMBER_DAYS", "30") or 30))  # absolute, with "remember"
    # Between the password and the code of the second factor at most this long (then the password again).
    SECOND_FACTOR_LOGIN_WINDOW = timedelta(minutes=5)
    SECOND_FACTOR_ISSUER = env("SECOND_FACTOR_ISSUER", "ABC-Extranet")  # the name shown in authenticator apps
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_REFRESH_EACH_REQUEST = False

    WTF_CSRF_TIME_LIMIT = None  # bound to the session instead, so long forms are not lost

    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    LANGUAGES = ("de", "en")

    # werkzeug's scrypt (N=32768, r=8, p=1): slow on purpose. A stored hash names its own parameters, so a change
    # here applies to passwords set from then on.
    PASSWORD_HASH_METHOD = "scrypt"

    RATELIMIT_ENABLED = True
    # Counters in memory are per worker: with more than one worker (or server) they must live in Redis.
    RATELIMIT_STORAGE_URI = env("RATELIMIT_STORAGE_URI") or env("RATELIMIT_STORAGE_URL") or "memory://"
    # The prefix of the counters' keys in Redis (rate limits and the login throttle): installations sharing one
    # Redis (production and staging, the tests) each give their own.
    RATELIMIT_STORAGE_OPTIONS = {"key_prefix": env("RATELIMIT_KEY_PREFIX", "LIMITS")}
    # How many reverse proxies in front of the app append to X-Forwarded-For / set X-Forwarded-Proto. Only
    # these are believed (werkzeug's ProxyFix), so behind one proxy every client has its own address and rate
    # limit bucket, and a client cannot choose its address by sending the header itself. 0: no proxy.
    TRUSTED_PROXIES = int(env("TRUSTED_PROXIES", "0") or 0)
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN = "10 per minute;50 per hour"  # login POSTs per client address
    # Wrong passwords per account, from any address: each step is a longer pause, none is permanent.
    RATELIMIT_LOGIN_ACCOUNT = "5 per minute;10 per 15 minutes;20 per hour;40 per day"
    RATELIMIT_REGISTER = "5 per minute;20 per hour"
    RATELIMIT_RESET = "5 per minute;20 per hour"
    RATELIMIT_POST = "10 per minute;100 per hour"  # new posts and threads per user (previews do not count)
    RATELIMIT_SEARCH = "30 per minute;500 per hour"  # searches (and similar-idea look-ups) per user
    RATELIMIT_MENTIONS = "60 per minute;1000 per hour"  # @mention suggestions while typing, per user
    REPORTS_PER_DAY = int(env("REPORTS_PER_DAY", "20") or 20)  # reports (Meldungen) per member in 24 hours
    RATELIMIT_BARRIER_REPORT = "5 per minute;20 per day"  # "Barriere melden" per client address (also anonymous)

    # Event documentation files (checked by content, stored by a random name) and the copies of members' data are
    # kept by forum/storage.py in FILE_STORAGE: "database" (the default: the one store every app server already
    # shares, committed and backed up with the rows) or "folder" (UPLOAD_DIR and EXPORT_DIR; with more than one
    # app server those must be storage they share). `flask move-files` copies folder files into the database.
    FILE_STORAGE = env("FILE_STORAGE", "database")
    UPLOAD_MAX_BYTES = int(env("UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)) or 20 * 1024 * 1024)
    UPLOAD_DIR: str | None = env("UPLOAD_DIR")
    # A whole request may carry one file of UPLOAD_MAX_BYTES plus the form around it.
    MAX_CONTENT_LENGTH = UPLOAD_MAX_BYTES + 1024 * 1024

    # E-mail goes through the outbox table; `flask send-mail` delivers it.
    MAIL_BACKEND = env("MAIL_BACKEND", "file")  # "smtp" or "file"
    MAIL_SERVER = env("MAIL_SERVER", "localhost")
    MAIL_PORT = int(env("MAIL_PORT", "25") or 25)
    MAIL_USERNAME = env("MAIL_USERNAME")
    MAIL_PASSWORD = env("MAIL_PASSWORD")
    MAIL_USE_TLS = (env("MAIL_USE_TLS", "false") or "").lower() in {"1", "true", "yes"}
    MAIL_SENDER = env("MAIL_SENDER", "ABC-Extranet <no-reply@servicestelle.example>")
    # Where answers to the extranet's mails go (the service office's mailbox); without it mails never ask for one.
    MAIL_REPLY_TO = env("MAIL_REPLY_TO", "")
    MAIL_DIR: str | None = env("MAIL_DIR")
    # The service office's mailbox for reported barriers (BITV 2.0 § 7); each report is mailed there.
    BARRIER_REPORT_RECIPIENT = env("BARRIER_REPORT_RECIPIENT", "servicestelle@servicestelle.example")
    MAIL_MAX_ATTEMPTS = 5

    # Registration and reset requests take at least this long, so their timing never tells whether an address
    # has an account (both paths also do the same work).
    ACCOUNT_ANSWER_FLOOR = 0.25

    # Link lifetimes.
    CONFIRM_TOKEN_MAX_AGE = int(timedelta(days=3).total_seconds())
    RESET_TOKEN_MAX_AGE = int(timedelta(hours=1).total_seconds())

    # Data protection (forum/privacy/): "Meine Daten herunterladen" builds a ZIP outside the request
    # (`flask build-exports`) into FILE_STORAGE (with "folder": EXPORT_DIR, instance/exports by default);
    # the link works for EXPORT_VALID_DAYS days.
    EXPORT_DIR: str | None = env("EXPORT_DIR")
    EXPORT_VALID_DAYS = int(env("EXPORT_VALID_DAYS", "7") or 7)
    RATELIMIT_DATA_EXPORT = "10 per day"  # requests for a copy of one's data, per account
    # Retention periods in days for `flask purge` (run daily); the privacy page shows them from here.
    RETENTION_UNCONFIRMED_DAYS = int(env("RETENTION_UNCONFIRMED_DAYS", "30") or 30)  # never-confirmed registrations
    RETENTION_REJECTED_DAYS = int(env("RETENTION_REJECTED_DAYS", "90") or 90)  # rejected applications
    RETENTION_WITHDRAWN_POST_DAYS = int(env("RETENTION_WITHDRAWN_POST_DAYS", "30") or 30)  # text of withdrawn posts
    RETENTION_REDACTED_REVISIONS_DAYS = int(env("RETENTION_REDACTED_REVISIONS_DAYS", "30") or 30)
    RETENTION_SENT_MAIL_DAYS = int(env("RETENTION_SENT_MAIL_DAYS", "30") or 30)  # delivered (or given up) mails
    RETENTION_NOTIFICATIONS_DAYS = int(env("RETENTION_NOTIFICATIONS_DAYS", "180") or 180)

    # Absolute URLs in e-mails and CLI output.
    BASE_URL = env("BASE_URL", "http://127.0.0.1:5000")
    SHOW_DEMO_LOGINS = False


class DevelopmentConfig(Config):
    """`make run`: SQLite in instance/, mails as files, demo logins shown on the login page."""

    SHOW_DEMO_LOGINS = True


class TestingConfig(Config):
    """pytest: CSRF off and rate limits generous by default; dedicated tests tighten them."""

    TESTING = True
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_LOGIN = RATELIMIT_REGISTER = RATELIMIT_RESET = RATELIMIT_POST = RATELIMIT_SEARCH = "10000 per minute"
    RATELIMIT_LOGIN_ACCOUNT = "10000 per minute"
    RATELIMIT_MENTIONS = "10000 per minute"
    RATELIMIT_BARRIER_REPORT = "10000 per minute"
    SECRET_KEY = "test-secret-key-not-for-production"
    SERVER_NAME = None
    ACCOUNT_ANSWER_FLOOR = 0.0
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # still scrypt, 32 times cheaper: thousands of logins in the suite


class ProductionConfig(Config):
    """gunicorn behind a reverse proxy with PostgreSQL; refuses to start without secrets."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    MAIL_BACKEND = env("MAIL_BACKEND", "smtp")
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {"development": DevelopmentConfig, "testing": TestingConfig, "production": ProductionConfig}


def load_config(app, overrides: dict | None = None) -> None:
    """Apply the environment's class, then FORUM_* secrets, then test overrides; refuse an unsafe production."""
    name = (overrides or {}).get("FORUM_CONFIG") or env("CONFIG", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"FORUM_CONFIG must be one of {', '.join(CONFIGS)}, not {name!r}")
    app.config.from_object(CONFIGS[name])
    app.config["FORUM_CONFIG"] = name
    if env("SECRET_KEY"):
        app.config["SECRET_KEY"] = env("SECRET_KEY")
    if env("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = env("DATABASE_URL")
    if overrides:
        app.config.update(overrides)
    if app.config["FILE_STORAGE"] not in ("database", "folder"):
        raise RuntimeError(f"FORUM_FILE_STORAGE must be 'database' or 'folder', not {app.config['FILE_STORAGE']!r}")
    if not app.config.get("UPLOAD_DIR"):
        app.config["UPLOAD_DIR"] = str(Path(app.instance_path) / "uploads")
    if not app.config.get("EXPORT_DIR"):
        app.config["EXPORT_DIR"] = str(Path(app.instance_path) / "exports")

    if name == "production":
        missing = [var for var, key in (("FORUM_SECRET_KEY", "SECRET_KEY"), ("FORUM_DATABASE_URL",
                   "SQLALCHEMY_DATABASE_URI")) if not app.config.get(key)]
        if missing:
            raise RuntimeError("Production configuration refuses to start without " + " and ".join(missing))
        return

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'forum.sqlite'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")
    if not app.config.get("MAIL_DIR"):
        app.config["MAIL_DIR"] = str(instance / "mail")


def _instance_secret(path: Path) -> str:
    """A random development key kept in instance/, so dev sessions survive restarts without a committed secret."""
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def check_worker_setup(workers: int, storage_uri: str | None) -> None:
    """Refuse to serve with several workers whose rate-limit counters would each be their own (in memory):
    a login limit of 10 would then let 10 × workers guesses through. Called by gunicorn.conf.py at start."""
    if workers > 1 and (not storage_uri or storage_uri.startswith("memory://")):
        raise RuntimeError(
            f"{workers} workers need shared rate-limit counters: set FORUM_RATELIMIT_STORAGE_URI to a Redis URL "
            "(e.g. redis://127.0.0.1:6379/0), or run one worker.")
