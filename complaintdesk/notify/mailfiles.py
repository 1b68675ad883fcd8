"""Local mail: every e-mail written to a file of its own under EMAIL_FILE_PATH (`var/mail/` by default when
DEBUG is on), `<message id>.eml`, which any mail reader opens and the regulator's console lists (/console/mail/).

Django's filebased backend appends all the messages of one connection to one `.log` file, which no mail
reader opens and which cannot be listed message by message; the console backend floods the terminal.

The outbox's guarantee holds (notify.outbox: at least once, de-duplicated by id):
1. The message is written under a temporary name, flushed to disk, then renamed into place, so a reader
   never sees half a message and a crash leaves none.
2. A failure to write raises OSError, which the e-mail transport turns into a TransientError: the outbox
   retries it with backoff like a mail server that is down.
3. The file is named by the Message-ID (the outbox id): a delivery retried after a crash replaces its file
   instead of adding a second copy, as a mail system drops the repeat by its Message-ID.
"""

import os
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

BACKEND = "complaintdesk.notify.mailfiles.EmailBackend"
SUFFIX = ".eml"
# What a file name (and the console's address of a message) may hold: no path separator, no leading dot.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,199}")
_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]")


def in_use() -> bool:
    """Whether mail goes to files here: then the console shows it."""
    return settings.EMAIL_BACKEND == BACKEND


def directory() -> Path:
    return Path(settings.EMAIL_FILE_PATH)


class EmailBackend(BaseEmailBackend):
    def __init__(self, *args, file_path=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.directory = Path(file_path) if file_path else directory()

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            try:
                self._write(message)
            except OSError:
                if not self.fail_silently:
                    raise
            else:
                sent += 1
        return sent

    def _write(self, message) -> None:
        mime = message.message()  # adds the Date and, when missing, a Message-ID
        message_id = mime["Message-ID"] or ""
        stem = _UNSAFE.sub("_", message_id.strip().strip("<>"))[:200].lstrip("._-@")
        if not stem:
            stem = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex}"
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self.directory / f"{stem}{SUFFIX}"
        temporary = self.directory / f".{stem}.{uuid.uuid4().hex}.tmp"
        try:
            with open(temporary, "wb") as file:
                file.write(mime.as_bytes())
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, final)
        finally:
            temporary.unlink(missing_ok=True)


@dataclass(frozen=True)
class Mail:
    name: str  # the file name without .eml: the message's address in the console
    to: str
    sender: str
    subject: str  # decoded from its MIME encoded-words
    sent_at: datetime | None
    body: str = ""


def names(folder: Path | None = None) -> list[str]:
    """The messages' names, newest file first."""
    folder = folder or directory()
    try:
        entries = [e for e in os.scandir(folder) if e.name.endswith(SUFFIX) and e.is_file()]
    except FileNotFoundError:
        return []
    entries.sort(key=lambda e: (e.stat().st_mtime_ns, e.name), reverse=True)
    return [e.name.removesuffix(SUFFIX) for e in entries]


def read(name: str, folder: Path | None = None, *, with_body: bool = False) -> Mail | None:
    """One message, its headers decoded; None when the name is not a message's (or it was removed)."""
    if not _NAME.fullmatch(name):
        return None
    path = (folder or directory()) / f"{name}{SUFFIX}"
    try:
        with open(path, "rb") as file:
            parsed = BytesParser(policy=policy.default).parse(file, headersonly=not with_body)
    except (FileNotFoundError, IsADirectoryError):
        return None
    body = ""
    if with_body:
        part = parsed.get_body(preferencelist=("plain", "html"))
        body = part.get_content() if part is not None else ""
    # Django folds a long encoded subject onto the next line ("Subject: \n =?utf-8?b?…"), which decodes
    # with a leading space.
    return Mail(
        name=name,
        to=str(parsed.get("To", "")).strip(),
        sender=str(parsed.get("From", "")).strip(),
        subject=str(parsed.get("Subject", "")).strip(),
        sent_at=_date(parsed.get("Date")),
        body=body,
    )


def _date(value) -> datetime | None:
    if not value:
        return None
    try:
        sent_at = parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    # Django writes "-0000" (EMAIL_USE_LOCALTIME off): UTC, which the parser leaves without a zone.
    return sent_at if sent_at.tzinfo else sent_at.replace(tzinfo=UTC)
