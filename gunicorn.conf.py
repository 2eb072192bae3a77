"""gunicorn's settings file (read from the working directory): refuse several workers without shared counters."""
from forum.config import Config, check_worker_setup


def on_starting(server) -> None:
    """Before any worker starts: per-worker in-memory rate limits would multiply every limit by the workers."""
    check_worker_setup(server.cfg.workers, Config.RATELIMIT_STORAGE_URI)
