"""Evidence files: checked by their content, not their name; stored outside the web root."""

import hashlib
import mimetypes

from django.conf import settings
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import Role
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.complaints.models import Evidence
from complaintdesk.complaints.services import record_event
from complaintdesk.lib.errors import FieldError

# Leading bytes of each allowed type: a renamed executable is refused whatever its name says.
_SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}


def sniff(head: bytes) -> str | None:
    for content_type, signatures in _SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures):
            return content_type
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain" if b"\x00" not in head else None


def accepts_evidence(complaint) -> bool:
    """A finished complaint's record is complete: nothing more is added to it."""
    return complaint.state not in ("closed", "withdrawn")


def attach(complaint, user, upload) -> Evidence:
    if user.role not in (Role.CONSUMER, Role.REGULATOR, Role.MERCHANT_AGENT, Role.MERCHANT_COORDINATOR):
        raise ActionForbidden(_("you may not add evidence"))
    if not accepts_evidence(complaint):
        raise FieldError(
            "file",
            _("the complaint is %(state)s; no more evidence can be added") % {"state": complaint.state},
        )
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise FieldError(
            "file",
            _("is %(size)s bytes; the limit is %(limit)s bytes") % {"size": upload.size, "limit": limit},
        )
    if upload.size == 0:
        raise FieldError("file", _("is empty"))
    content = upload.read()
    content_type = sniff(content[:4096])
    allowed = settings.EVIDENCE_ALLOWED_TYPES
    if content_type not in allowed:
        raise FieldError(
            "file", _("type not allowed; send one of: %(types)s") % {"types": ", ".join(sorted(allowed))}
        )
    extension = allowed[content_type][0]
    sha = hashlib.sha256(content).hexdigest()
    item = Evidence(
        complaint=complaint,
        original_name=(upload.name or "evidence")[:255],
        content_type=content_type,
        extension=extension,
        size=len(content),
        sha256=sha,
        uploaded_by=user,
    )
    upload.seek(0)
    with transaction.atomic():
        item.file.save(upload.name or f"evidence{extension}", upload, save=False)
        item.save()
        record_event(
            complaint, user, "add_evidence", complaint.state, complaint.state,
            data={"evidence": item.pk, "name": item.original_name, "size": item.size, "sha256": sha},
        )  # fmt: skip
    return item


def serve(item: Evidence) -> FileResponse:
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name)
    response["Content-Type"] = item.content_type or mimetypes.types_map.get(
        item.extension, "application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
