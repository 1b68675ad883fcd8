"""The one check of an uploaded file, for every path that takes one (evidence in the API and the web, a
promotion's emergency plan in the API and the web): its size against EVIDENCE_MAX_BYTES and its type by its
content, never by its name, so a renamed executable is refused whatever its name says."""

import re
import unicodedata
from collections.abc import Collection

from django.conf import settings
from django.utils.translation import gettext as _

from complaintdesk.lib.errors import FieldError

# Leading bytes of each type we recognise; text is what is left when the head decodes as UTF-8.
_SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}
_HEAD = 4096

TOO_LARGE, EMPTY, WRONG_TYPE = "too_large", "empty", "wrong_type"


def sniff(head: bytes) -> str | None:
    for content_type, signatures in _SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures):
            return content_type
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain" if b"\x00" not in head else None


class UploadRefused(FieldError):
    """A refused upload: a FieldError on "file" for the API and the services, with `problem` (TOO_LARGE,
    EMPTY or WRONG_TYPE), `size` and `limit` for a web form that words it for its page."""

    def __init__(self, problem: str, reason: str, *, size: int, limit: int):
        super().__init__("file", reason)
        self.problem = problem
        self.size = size
        self.limit = limit


def check(upload, allowed: Collection[str], *, wrong_type: str | None = None) -> str:
    """The upload's content type, once it has passed, in this order:

    1. its size is at most settings.EVIDENCE_MAX_BYTES;
    2. it is not empty;
    3. the type its first bytes show (`sniff`) is one of `allowed`; `wrong_type` is the reason given
       otherwise (by default, the list of allowed types).

    Only the head is read, and the file is left rewound. Raises UploadRefused."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        reason = _("is %(size)s bytes; the limit is %(limit)s bytes") % {"size": upload.size, "limit": limit}
        raise UploadRefused(TOO_LARGE, reason, size=upload.size, limit=limit)
    if upload.size == 0:
        raise UploadRefused(EMPTY, _("is empty"), size=0, limit=limit)
    upload.seek(0)
    content_type = sniff(upload.read(_HEAD))
    upload.seek(0)
    if content_type not in allowed:
        if wrong_type is None:
            wrong_type = _("type not allowed; send one of: %(types)s") % {"types": ", ".join(sorted(allowed))}
        raise UploadRefused(WRONG_TYPE, wrong_type, size=upload.size, limit=limit)
    return content_type


_UNSAFE = re.compile(r"[^\w-]+")


def safe_name(name: str, extension: str, fallback: str = "file") -> str:
    """The name a file is shown and downloaded under: the sender's name up to its first dot, anything but
    letters, digits, '-' and '_' made '_', then `extension`, the detected type's. A text file sent as
    `refund_form.pdf.cmd` is `refund_form.txt`: no name a reader sees passes for another type or a program.
    Applying it again changes nothing."""
    base = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    stem = _UNSAFE.sub("_", base.split(".", 1)[0]).strip("_")[:100]
    return f"{stem or fallback}{extension}"
