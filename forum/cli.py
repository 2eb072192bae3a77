"""Commands for operators: `flask --app forum <command>`; thin wrappers over services."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from forum import demo, markup, storage
from forum.announcements import services as announcements
from forum.announcements.models import Announcement
from forum.accounts.forms import MIN_PASSWORD_LENGTH
from forum.accounts.models import User
from forum.accounts.services import find_user_by_email, hash_password, normalise_email
from forum.clock import utcnow
from forum.discussion.boards import ensure_boards
from forum.discussion.quotes import link_legacy_quotes
from forum.discussion.services import rerender_posts
from forum.events.attachments import attachment_text
from forum.events.reminders import send_reminders
from forum.events.models import Event, EventReport
from forum.events.reports import render_report_text
from forum.extensions import db
from forum.ideas.models import Idea
from forum.ideas.terms import ensure_reference_terms
from forum.notifications.mailing import send_digests as queue_digests
from forum.notifications.outbox import claim, deliver, pending_messages
from forum.organisations.models import Organisation
from forum.organisations.services import import_organisations
from forum.pages.models import SitePage
from forum.pages.services import ensure_legal_pages, render_page_text
from forum.privacy.exports import build_export, claim_next_export
from forum.privacy.retention import purge
from forum.search.index import reindex_all
from forum.search.models import SearchDocument


def init_app(app: Flask) -> None:
    for command in (create_admin, seed_demo, import_organisations_command, send_mail, send_digests, rerender,
                    reindex):
        app.cli.add_command(command)
    app.cli.add_command(send_announcements_command)
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(build_exports_command)
    app.cli.add_command(purge_command)
    app.cli.add_command(move_files_command)


@click.command("create-admin")
@with_appcontext
@click.option("--email", prompt="E-Mail-Adresse")
@click.option("--name", "display_name", prompt="Name")
@click.option("--organisation", "organisation_name", default="Servicestelle SGB II", show_default=True,
              help="Name der Organisation (wird als Servicestelle angelegt, falls es sie nicht gibt).")
@click.password_option("--password", prompt="Passwort", confirmation_prompt="Passwort wiederholen")
def create_admin(email: str, display_name: str, organisation_name: str, password: str) -> None:
    """Create an active admin account (and the legal pages, reference lists and Fachforen, if missing)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen lang sein.")
    if find_user_by_email(email) is not None:
        raise click.ClickException(f"Es gibt schon ein Konto mit {email}.")
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == organisation_name))
    if organisation is None:
        organisation = Organisation(name=organisation_name, kind="service_office")
        db.session.add(organisation)
    now = utcnow()
    db.session.add(User(email=normalise_email(email), display_name=display_name, function="Administration",
                        organisation=organisation, role="admin", status="active", password_hash=hash_password(password),
                        email_confirmed_at=now, approved_at=now, terms_accepted_at=now))
    ensure_legal_pages()
    ensure_reference_terms()
    ensure_boards()
    reindex_all()
    db.session.commit()
    click.echo(f"Admin-Konto {normalise_email(email)} angelegt.")


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Nur wenn die Datenbank noch keine Konten hat.")
def seed_demo(if_empty: bool) -> None:
    """Fill the database with realistic German demo data (idempotent) and print the demo logins."""
    created = demo.seed(only_if_empty=if_empty)
    db.session.commit()
    click.echo(f"Demodaten: {created} neue Datensätze." if created else "Demodaten sind schon vorhanden.")
    click.echo("\nDemo-Zugänge (nur Entwicklung), Passwort jeweils: " + demo.DEMO_PASSWORD)
    for email, role in demo.DEMO_LOGINS:
        click.echo(f"  {email:42} {role}")
    secret, recovery_code = demo.DEMO_SECOND_FACTOR
    click.echo(f"\nZweiter Faktor ({', '.join(demo.SECOND_FACTOR_LOGINS)}): Schlüssel {secret} in einer "
               f"Authenticator-App (TOTP) oder einmal der Wiederherstellungscode {recovery_code}")


@click.command("import-organisations")
@with_appcontext
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_organisations_command(csv_file: Path) -> None:
    """Import organisations from a CSV file; with any bad line nothing is imported."""
    report = import_organisations(csv_file.read_bytes(), actor=None)
    if not report.ok:
        db.session.rollback()
        for line, message in report.errors:
            click.echo(f"Zeile {line}: {message}", err=True)
        click.echo("Nichts importiert.", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"{len(report.created)} Organisationen angelegt, {len(report.updated)} aktualisiert.")


@click.command("send-mail")
@with_appcontext
@click.option("--limit", default=100, show_default=True, help="Höchstens so viele Mails in diesem Lauf.")
def send_mail(limit: int) -> None:
    """Deliver pending mail from the outbox (SMTP, or files under instance/mail/ in development). Safe to run on
    several servers at once: each message is claimed and the claim committed before it is sent."""
    sent = failed = 0
    for message in pending_messages(limit):
        taken = claim(message)
        db.session.commit()
        if not taken:
            continue  # another run has it
        if deliver(message):
            sent += 1
        else:
            failed += 1
        db.session.commit()  # one message at a time: a crash never sends a mail twice
    click.echo(f"{sent} Mail(s) versendet, {failed} fehlgeschlagen (werden erneut versucht).")


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Put the reminders of upcoming events into the outbox (run it daily or hourly; each person gets one per
    event, also when runs overlap)."""
    count = send_reminders()
    db.session.commit()
    click.echo(f"{count} Erinnerung(en) in den Postausgang gelegt; `send-mail` verschickt sie.")


@click.command("send-digests")
@with_appcontext
def send_digests() -> None:
    """Put the daily digest of notifications into the outbox for everyone who chose it (run once a day)."""
    count = queue_digests()
    db.session.commit()
    click.echo(f"{count} Zusammenfassung(en) in den Postausgang gelegt; `send-mail` verschickt sie.")


@click.command("rerender")
@with_appcontext
def rerender() -> None:
    """Rebuild all stored HTML from the markdown sources (after a change of the allowlist in forum/markup.py);
    quotes written before quotes linked their source post get that link first."""

    legacy = link_legacy_quotes()
    count = 0
    for page in db.session.scalars(select(SitePage)):
        page.body_html = render_page_text(page.body_source)
        count += 1
    for idea in db.session.scalars(select(Idea)):
        idea.description_html = markup.render(idea.description_source)
        count += 1
    for event in db.session.scalars(select(Event)):
        event.description_html = markup.render(event.description_source)
        event.agenda_html = markup.render(event.agenda_source)
        event.documentation_html = markup.render(event.documentation_source)
        count += 1
    for report in db.session.scalars(select(EventReport)):
        report.summary_html = render_report_text(report.summary_source)
        report.results_html = render_report_text(report.results_source)
        report.next_steps_html = render_report_text(report.next_steps_source)
        count += 1
    for announcement in db.session.scalars(select(Announcement)):
        announcement.body_html = announcements.render_body(announcement.body_source)
        count += 1
    count += rerender_posts()
    reindex_all()  # the index holds text derived from the HTML (a post's words without its quotes)
    db.session.commit()
    if legacy.linked or legacy.unresolved:
        where = f" (in den Beiträgen mit der ID {', '.join(map(str, legacy.unresolved_in))}, bitte prüfen)"
        click.echo(f"{legacy.linked} ältere Zitate mit ihrem Beitrag verknüpft, {legacy.unresolved} ohne "
                   f"auffindbaren Beitrag{where if legacy.unresolved else ''}.")
    click.echo(f"{count} Texte neu erzeugt.")


@click.command("reindex")
@with_appcontext
@click.option("--files/--no-files", default=True, show_default=True,
              help="Den Text der Dokumentationsdateien neu auslesen (sonst den bisherigen behalten).")
@click.option("--if-empty", is_flag=True, help="Nur wenn der Suchindex noch leer ist (nach dem Update).")
def reindex(files: bool, if_empty: bool) -> None:
    """Rebuild the search index from the data, in one transaction (searches see the old index until the end)."""
    if if_empty and db.session.scalar(select(SearchDocument.id).limit(1)) is not None:
        return
    started = time.perf_counter()
    counts = reindex_all(documents_text=attachment_text if files else None)
    db.session.commit()
    click.echo("Suchindex neu aufgebaut: " + ", ".join(f"{count} {kind}" for kind, count in counts.items())
               + f" in {time.perf_counter() - started:.1f} s.")


@click.command("send-announcements")
@with_appcontext
@click.option("--batch", default=announcements.BATCH_SIZE, show_default=True,
              help="So viele Empfänger je Transaktion.")
def send_announcements_command(batch: int) -> None:
    """Send queued announcements: in-app notifications for everyone in the segment, mails into the outbox for
    those who want them. Safe to run again or in parallel: each batch is claimed and committed with its mails."""
    prepared = announcements.fix_recipients()
    db.session.commit()
    sent = 0
    while claimed := announcements.send_batch(max(batch, 1)):
        sent += claimed
        db.session.commit()
    finished = announcements.finish_sent()
    db.session.commit()
    click.echo(f"{prepared} Mitteilung(en) vorbereitet, {sent} Empfänger benachrichtigt, {finished} Mitteilung(en) "
               "vollständig versendet; `send-mail` verschickt die E-Mails.")


@click.command("build-exports")
@with_appcontext
@click.option("--limit", default=20, show_default=True, help="Höchstens so viele Datenkopien in diesem Lauf.")
def build_exports_command(limit: int) -> None:
    """Build the requested copies of members' data ("Meine Daten herunterladen"); run it every few minutes.
    Safe to run again or in parallel: each request is claimed in its own transaction before it is built."""
    built = 0
    while built < limit:
        export = claim_next_export()
        db.session.commit()  # the claim is visible to other runs before the (slow) build starts
        if export is None:
            break
        build_export(export)
        db.session.commit()
        built += 1
    click.echo(f"{built} Datenkopie(n) erstellt.")


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Apply the retention periods of forum/config.py (RETENTION_*): run it once a day. A second run deletes
    nothing more; each run is one audit entry with the counts."""
    counts = purge()
    db.session.commit()
    click.echo("Gelöscht: " + ", ".join(f"{count} {kind}" for kind, count in counts.items()) + ".")


@click.command("move-files")
@with_appcontext
def move_files_command() -> None:
    """Copy the documentation files and data copies kept in the folders (UPLOAD_DIR, EXPORT_DIR) into the
    database, once, when an installation switches to FORUM_FILE_STORAGE=database. Files already there are
    skipped; the folders stay as they are (remove them after checking the downloads)."""
    if storage.storage() != "database":
        click.echo("FORUM_FILE_STORAGE ist nicht „database“: nichts zu tun.", err=True)
        sys.exit(1)
    copied = storage.move_folders_into_database()
    db.session.commit()
    click.echo("In die Datenbank übernommen: " + ", ".join(f"{count} aus {storage.folder(area)}"
                                                          for area, count in copied.items()) + ".")
