"""Backups of the embedded SQLite database and the evidence files.

A backup is a folder: `complaintdesk.sqlite3` (SQLite's online backup API, consistent while the app runs),
`media.tar.gz` (evidence and plan attachments) and `manifest.json` (what it holds, to check a restore).
PostgreSQL is backed up with its own tools (docs/operations.md); this module refuses it rather than
producing a partial copy.
"""

import json
import sqlite3
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from complaintdesk.complaints.models import Complaint, ComplaintEvent, Evidence

DB_FILE = "complaintdesk.sqlite3"
MEDIA_FILE = "media.tar.gz"
MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


def _require_sqlite():
    if connection.vendor != "sqlite":
        raise BackupError(
            "the database is PostgreSQL: use pg_dump / pg_restore (see docs/operations.md); "
            "this command backs up the embedded SQLite database"
        )


def counts() -> dict[str, int]:
    return {
        "complaints": Complaint.objects.count(),
        "events": ComplaintEvent.objects.count(),
        "evidence": Evidence.objects.count(),
    }


def backup(target: Path) -> dict:
    """Write a consistent copy of the database and the media folder into `target` (created, must be empty)."""
    _require_sqlite()
    target.mkdir(parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise BackupError(f"{target} is not empty")
    connection.ensure_connection()
    with sqlite3.connect(target / DB_FILE) as copy:
        connection.connection.backup(copy)
    copy.close()
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(target / MEDIA_FILE, "w:gz") as tar:
        if media.exists():
            tar.add(media, arcname="media")
    manifest = {"created_at": timezone.now().isoformat(), "counts": counts()}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def restore(source: Path) -> dict:
    """Replace the database and the media folder with the backup's; check the counts against its manifest."""
    _require_sqlite()
    manifest_path = source / MANIFEST
    if not manifest_path.exists() or not (source / DB_FILE).exists():
        raise BackupError(f"{source} is not a ComplaintDesk backup (no {MANIFEST} or {DB_FILE})")
    manifest = json.loads(manifest_path.read_text())
    if connection.in_atomic_block:
        raise BackupError("restore must not run inside a transaction")
    connection.ensure_connection()
    with sqlite3.connect(source / DB_FILE) as original:
        original.backup(connection.connection)
    original.close()
    media_archive = source / MEDIA_FILE
    if media_archive.exists():
        media_root = Path(settings.MEDIA_ROOT)
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(media_archive, "r:gz") as tar:
            members = [m for m in tar.getmembers() if m.name.startswith("media/")]
            for member in members:
                member.name = member.name.removeprefix("media/")
            tar.extractall(media_root, members=[m for m in members if m.name], filter="data")
    found = counts()
    if found != manifest["counts"]:
        raise BackupError(f"restored counts {found} differ from the backup's {manifest['counts']}")
    return manifest
