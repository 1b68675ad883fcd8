"""Evidence files: checked by their content, not their name; stored outside the web root, and shown and
served under a name whose extension is the detected type's."""

import hashlib
import mimetypes
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.http import FileResponse
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import Role
from complaintdesk.complaints.choices import EventKind
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.complaints.models import Complaint, Evidence
from complaintdesk.complaints.services import record_event
from complaintdesk.lib import uploads
from complaintdesk.lib.errors import FieldError

# Anything in a name but letters, digits, '-' and '_': dots (a second extension), slashes, spaces, control
# and direction-override characters (U+202E shows "fdp.exe" as "exe.pdf").
_UNSAFE = re.compile(r"[^\w-]+")
_CHUNK = 1024 * 1024


def safe_name(name: str, extension: str) -> str:
    """The name a file is shown and downloaded under: the sender's name up to its first dot, anything but
    letters, digits, '-' and '_' made '_', then `extension`, the detected type's. A text file sent as
    `refund_form.pdf.cmd` is `refund_form.txt`: no name the shop sees passes for another type or a program.
    Applying it again changes nothing."""
    base = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    stem = _UNSAFE.sub("_", base.split(".", 1)[0]).strip("_")[:100]
    return f"{stem or 'evidence'}{extension}"


def accepts_evidence(complaint) -> bool:
    """A finished complaint's record is complete: nothing more is added to it."""
    return complaint.state not in ("closed", "withdrawn")


@dataclass
class _Checked:
    upload: object
    content_type: str
    extension: str
    size: int
    sha256: str


def _refuse_if_finished(complaint) -> None:
    if not accepts_evidence(complaint):
        raise FieldError(
            "file",
            _("the complaint is %(state)s; no more evidence can be added") % {"state": complaint.state},
        )


def _check(upload) -> _Checked:
    """The upload's size and type, by its content (lib.uploads), and its digest; the file is read in chunks
    and left rewound."""
    allowed = settings.EVIDENCE_ALLOWED_TYPES
    content_type = uploads.check(upload, allowed)
    digest, size = hashlib.sha256(), 0
    while chunk := upload.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return _Checked(upload, content_type, allowed[content_type][0], size, digest.hexdigest())


def _check_room(complaint, incoming: list[_Checked]) -> None:
    """Refuses files that would bring the complaint past EVIDENCE_MAX_FILES_PER_COMPLAINT files or
    EVIDENCE_MAX_TOTAL_BYTES in total. Call it holding the complaint's row lock: two uploads at once
    cannot both take the last place."""
    stored = Evidence.objects.filter(complaint=complaint).aggregate(files=Count("id"), size=Sum("size"))
    files, size = stored["files"], stored["size"] or 0
    max_files, max_bytes = settings.EVIDENCE_MAX_FILES_PER_COMPLAINT, settings.EVIDENCE_MAX_TOTAL_BYTES
    if files + len(incoming) > max_files:
        raise FieldError(
            "file",
            _(
                "the complaint has %(files)s evidence files already; the limit is %(limit)s files per complaint"
            )
            % {"files": files, "limit": max_files},
        )
    total = size + sum(item.size for item in incoming)
    if total > max_bytes:
        raise FieldError(
            "file",
            _(
                "would bring the complaint's evidence to %(total)s bytes; the limit is %(limit)s bytes of "
                "evidence per complaint"
            )
            % {"total": total, "limit": max_bytes},
        )


def attach_all(complaint, user, uploads) -> list[Evidence]:
    """Store `uploads` as evidence of `complaint`, all or none: every path that stores evidence (the API,
    the complaint page, the filing form) comes here.

    1. The user's role and the complaint's state.
    2. Each file's size and type, by its content (before any lock is taken).
    3. Under the complaint's row lock: its state again, and room for the files (count and total size).
    4. The files are written and their rows and events saved; if anything fails, the files written so far
       are deleted, so a refused or failed upload leaves no file behind.
    """
    if user.role not in (Role.CONSUMER, Role.REGULATOR, Role.MERCHANT_AGENT, Role.MERCHANT_COORDINATOR):
        raise ActionForbidden(_("you may not add evidence"))
    _refuse_if_finished(complaint)
    checked = [_check(upload) for upload in uploads]
    stored: list[Evidence] = []
    with transaction.atomic():
        locked = Complaint.objects.select_for_update(no_key=True).only("state").get(pk=complaint.pk)
        _refuse_if_finished(locked)
        _check_room(complaint, checked)
        try:
            for item in checked:
                stored.append(_store(complaint, user, item))
        except BaseException:
            for evidence in stored:
                evidence.file.delete(save=False)
            raise
    return stored


def attach(complaint, user, upload) -> Evidence:
    return attach_all(complaint, user, [upload])[0]


def _store(complaint, user, checked: _Checked) -> Evidence:
    item = Evidence(
        complaint=complaint,
        original_name=safe_name(checked.upload.name or "", checked.extension),
        content_type=checked.content_type,
        extension=checked.extension,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
    )
    # The stored name is models.evidence_path's: the complaint, the content's hash, the detected extension.
    item.file.save(item.original_name, checked.upload, save=False)
    try:
        item.save()
        record_event(
            complaint, user, EventKind.ADD_EVIDENCE, complaint.state, complaint.state,
            data={"evidence": item.pk, "name": item.original_name, "size": item.size, "sha256": item.sha256},
        )  # fmt: skip
    except BaseException:
        item.file.delete(save=False)
        raise
    return item


def serve(item: Evidence) -> FileResponse:
    """Always an attachment, under the safe name: rows stored before names were made safe are served safely
    too."""
    response = FileResponse(
        item.file.open("rb"), as_attachment=True, filename=safe_name(item.original_name, item.extension)
    )
    response["Content-Type"] = item.content_type or mimetypes.types_map.get(
        item.extension, "application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
