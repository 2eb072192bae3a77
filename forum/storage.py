"""Stored files (event documentation files, copies of members' data): the one module that reads and writes them.

Where they live is FILE_STORAGE (forum/config.py, `FORUM_FILE_STORAGE`):

- "database" (the default): the bytes in the table `stored_files`, in the caller's transaction. Every app server
  already shares the database, a file and its row are committed (or rolled back) together, and `pg_dump` backs
  both up at once. Files are at most UPLOAD_MAX_BYTES (20 MB), which PostgreSQL's bytea and SQLite's BLOB hold
  without trouble.
- "folder": one file per name below the area's folder (UPLOAD_DIR, EXPORT_DIR), written at once (not with the
  transaction). With several app servers that folder must be storage they share.

An area names what a file is ("uploads": documentation files, "exports": data copies); a name is ours (random
hex, never from an upload). `flask --app forum move-files` copies the files found in the folders into the
database (after switching an existing installation to "database").
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import LargeBinary, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from forum.clock import UTCDateTime, utcnow
from forum.extensions import db
from forum.queries import insert_new

STORAGES = ("database", "folder")
AREAS = {"uploads": "UPLOAD_DIR", "exports": "EXPORT_DIR"}  # area → the setting naming its folder


class StoredFile(db.Model):
    """The bytes of one file kept in the database (FILE_STORAGE = "database")."""

    __tablename__ = "stored_files"

    area: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def storage() -> str:
    """The configured storage, "database" or "folder"."""
    return current_app.config["FILE_STORAGE"]


def folder(area: str) -> Path:
    """The folder of an area (for FILE_STORAGE = "folder", and where `move-files` looks)."""
    return Path(current_app.config[AREAS[area]])


def _path(area: str, name: str) -> Path:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"not a stored file's name: {name!r}")
    return folder(area) / name


def save(area: str, name: str, data: bytes) -> None:
    """Keep `data` under `name` (in the database: with the caller's transaction)."""
    if storage() == "folder":
        path = _path(area, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return
    db.session.add(StoredFile(area=area, name=name, size=len(data), data=data, created_at=utcnow()))
    db.session.flush()


def read(area: str, name: str) -> bytes | None:
    """The bytes kept under `name`, or None when there are none."""
    if storage() == "folder":
        path = _path(area, name)
        return path.read_bytes() if path.is_file() else None
    return db.session.scalar(select(StoredFile.data).where(StoredFile.area == area, StoredFile.name == name))


def exists(area: str, name: str) -> bool:
    """Whether a file is kept under `name` (without reading it)."""
    if storage() == "folder":
        return _path(area, name).is_file()
    return db.session.scalar(select(StoredFile.size).where(StoredFile.area == area, StoredFile.name == name)) \
        is not None


def remove(area: str, name: str) -> None:
    """Forget the file kept under `name` (nothing happens when there is none). In the database with the caller's
    transaction; in a folder at once, so call it after the flush that may still fail."""
    if storage() == "folder":
        _path(area, name).unlink(missing_ok=True)
        return
    db.session.execute(delete(StoredFile).where(StoredFile.area == area, StoredFile.name == name))


def move_folders_into_database() -> dict[str, int]:
    """Copy every file of the areas' folders that the database lacks into it (for `flask move-files`); the
    folders are left as they are. Returns the number copied per area. Safe to run again or in parallel."""
    copied = {}
    for area in AREAS:
        copied[area] = 0
        directory = folder(area)
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            data = path.read_bytes()
            copied[area] += insert_new(StoredFile.__table__, ["area", "name"], area=area, name=path.name,
                                       size=len(data), data=data, created_at=utcnow())
    return copied
