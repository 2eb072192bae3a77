"""HTML error pages in German (or the user's language); a 500 rolls back the transaction."""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from forum.extensions import db

MESSAGES = {
    400: (_l("Ungültige Anfrage"), _l("Die Anfrage konnte nicht verarbeitet werden. Bitte versuchen Sie es erneut.")),
    403: (_l("Keine Berechtigung"), _l("Sie haben keine Berechtigung für diese Seite oder Aktion.")),
    404: (_l("Seite nicht gefunden"), _l("Die aufgerufene Seite gibt es nicht (mehr). Bitte prüfen Sie die Adresse.")),
    405: (_l("Aktion nicht möglich"), _l("Diese Aktion ist auf diesem Weg nicht möglich.")),
    413: (_l("Datei zu groß"), _l("Die hochgeladene Datei ist zu groß.")),
    429: (_l("Zu viele Versuche"), _l("Sie haben es zu oft in kurzer Zeit versucht. Bitte warten Sie einen Moment "
                                     "und versuchen Sie es dann erneut.")),
    500: (_l("Interner Fehler"), _l("Leider ist ein Fehler aufgetreten. Ihre letzte Aktion wurde nicht gespeichert. "
                                   "Bitte versuchen Sie es später erneut.")),
}
CSRF_MESSAGE = (_l("Formular abgelaufen"), _l("Das Formular war zu lange geöffnet oder wurde von einer anderen Seite "
                                              "gesendet. Bitte laden Sie die Seite neu und senden Sie es erneut."))


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(400, *CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        title, message = MESSAGES.get(error.code, (error.name, error.description))
        return _render(error.code, title, message)

    @app.errorhandler(Exception)
    def internal_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if app.config.get("TESTING") and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        return _render(500, *MESSAGES[500])


def _render(code: int, title, message):
    return render_template("errors/error.html", code=code, title=title, message=message), code
