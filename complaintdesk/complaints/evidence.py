"""Evidence files: checked by their content, not their name; stored outside the web root, and shown and
served under a name whose extension is the detected type's."""

import hashlib
import mimetypes
import os
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.move import file_move_safe
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Sum
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import Role
from complaintdesk.complaints import services
from complaintdesk.complaints.choices import EventKind
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.complaints.models import Complaint, Evidence, evidence_path
from complaintdesk.complaints.services import record_event
from complaintdesk.lib import uploads
from complaintdesk.lib.errors import FieldError

# Anything in a name but letters, digits, '-' and '_': dots (a second extension), slashes, spaces, control
# and direction-override characters (U+202E shows "fdp.exe" as "exe.pdf").
_CHUNK = 1024 * 1024
# Where uploads wait for the transaction that stores their rows (`_Staged`); emptied as they are stored.
_INCOMING = "evidence/incoming"
# Files the filing form holds for the consumer while another field is corrected (`hold_pending`): their
# storage names are kept in the consumer's session only, never taken from the request. Deleted a day after.
_PENDING = f"{_INCOMING}/pending"
PENDING_LIFETIME = timedelta(days=1)


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
    original_name: str
    held: str | None = None  # the storage name of a file held pending (`hold_pending`), already written


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
    extension = allowed[content_type][0]
    name = uploads.safe_name(upload.name or "", extension, fallback="evidence")
    return _Checked(upload, content_type, extension, size, digest.hexdigest(), name)


def _check_room(complaint, incoming: list[_Checked]) -> None:
    """Refuses files that would bring the complaint past EVIDENCE_MAX_FILES_PER_COMPLAINT files or
    EVIDENCE_MAX_TOTAL_BYTES in total. Call it holding the complaint's row lock: two uploads at once
    cannot both take the last place."""
    stored = Evidence.objects.filter(complaint=complaint).aggregate(files=Count("id"), size=Sum("size"))
    _refuse_past_caps(stored["files"], stored["size"] or 0, incoming)


def _refuse_past_caps(files: int, size: int, incoming: list[_Checked]) -> None:
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


def _refuse_if_not_allowed(user) -> None:
    if user.role not in (Role.CONSUMER, Role.REGULATOR, Role.MERCHANT_AGENT, Role.MERCHANT_COORDINATOR):
        raise ActionForbidden(_("you may not add evidence"))


def attach_all(complaint, user, uploads) -> list[Evidence]:
    """Store `uploads` as evidence of `complaint`, all or none: every path that stores evidence (the API,
    the complaint page) comes here; the filing form comes through `file_with_evidence`.

    1. The user's role and the complaint's state.
    2. Each file's size and type, by its content (before any lock is taken).
    3. The files are written, outside any transaction (`_Staged`).
    4. Under the complaint's row lock: its state again, and room for the files (count and total size); the
       files are moved to their names and their rows and events saved. If anything fails, the files are
       deleted, so a refused or failed upload leaves no file behind.
    """
    _refuse_if_not_allowed(user)
    _refuse_if_finished(complaint)
    checked = [_check(upload) for upload in uploads]
    with _Staged(checked) as staged, transaction.atomic():
        locked = Complaint.objects.select_for_update(no_key=True).only("state").get(pk=complaint.pk)
        _refuse_if_finished(locked)
        _check_room(complaint, checked)
        return [staged.store(complaint, user, item) for item in checked]


def attach(complaint, user, upload) -> Evidence:
    return attach_all(complaint, user, [upload])[0]


def file_with_evidence(actor, new_complaint, uploads, pending=()) -> Complaint:
    """File a complaint with its evidence, all or nothing (the web's filing form): the uploads are checked
    (content, and the caps against an empty complaint) and written before the filing's transaction, which
    then stores the complaint and the evidence rows together; if it fails, the files are deleted. On
    SQLite the transaction holds the database's one write lock: no file's bytes are written under it.
    `pending` are files held from an earlier try (`hold_pending`): stored with the others, and if the
    filing fails they stay held."""
    _refuse_if_not_allowed(actor)
    checked = [_check(upload) for upload in uploads] + [_held(entry) for entry in pending]
    _refuse_past_caps(0, 0, checked)
    with _Staged(checked) as staged, transaction.atomic():
        complaint = services.file_complaint(actor, new_complaint)
        for item in checked:
            staged.store(complaint, actor, item)
    return complaint


def hold_pending(actor, uploads) -> list[dict]:
    """Write checked uploads aside while the filing form is corrected, so the consumer need not choose them
    again. Returns one entry per file (its id, the name shown, and what `file_with_evidence` needs),
    for the caller to keep where only this consumer reads it (the web keeps it in the session). Files
    held longer than PENDING_LIFETIME are deleted first."""
    _refuse_if_not_allowed(actor)
    discard_stale_pending()
    held = []
    for item in [_check(upload) for upload in uploads]:
        key = uuid.uuid4().hex
        path = default_storage.save(f"{_PENDING}/{key}{item.extension}", item.upload)
        held.append({
            "id": key, "path": path, "name": item.original_name, "content_type": item.content_type,
            "extension": item.extension, "size": item.size, "sha256": item.sha256,
        })  # fmt: skip
    return held


def still_held(entry: dict) -> bool:
    return entry["path"].startswith(f"{_PENDING}/") and default_storage.exists(entry["path"])


def discard_pending(entries) -> None:
    for entry in entries:
        if entry["path"].startswith(f"{_PENDING}/"):
            default_storage.delete(entry["path"])


def discard_stale_pending(now=None) -> int:
    """Delete held files older than PENDING_LIFETIME (a filing abandoned after an error); returns how many."""
    if not default_storage.exists(_PENDING):
        return 0
    cutoff = (now or timezone.now()) - PENDING_LIFETIME
    stale = [
        f"{_PENDING}/{name}"
        for name in default_storage.listdir(_PENDING)[1]
        if default_storage.get_modified_time(f"{_PENDING}/{name}") < cutoff
    ]
    for name in stale:
        default_storage.delete(name)
    return len(stale)


def _held(entry: dict) -> _Checked:
    if not still_held(entry):
        raise FieldError("file", _("%(name)s was no longer kept; choose it again") % {"name": entry["name"]})
    return _Checked(
        None, entry["content_type"], entry["extension"], entry["size"], entry["sha256"], entry["name"],
        held=entry["path"],
    )  # fmt: skip


class _Staged:
    """The checked uploads written to storage under temporary names before the transaction that stores
    their rows; `store` moves one to its stored name (a rename: no bytes written) and saves its row and
    event. Leaving the block with an exception deletes every file written, wherever it is by then."""

    def __init__(self, checked: list[_Checked]):
        self.checked = checked
        self.names: dict[int, str] = {}  # id(checked item) -> where its file is now

    def __enter__(self) -> "_Staged":
        try:
            for item in self.checked:
                if item.held:
                    self.names[id(item)] = item.held
                    continue
                name = f"{_INCOMING}/{uuid.uuid4().hex}{item.extension}"
                self.names[id(item)] = default_storage.save(name, item.upload)
        except BaseException:
            self._delete()
            raise
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None:
            self._delete()

    def _delete(self) -> None:
        """Files written here are deleted; a held file goes back to where it was held."""
        for item in self.checked:
            name = self.names.get(id(item))
            if name is None:
                continue
            if not item.held:
                default_storage.delete(name)
            elif name != item.held:
                file_move_safe(default_storage.path(name), default_storage.path(item.held))

    def store(self, complaint, user, checked: _Checked) -> Evidence:
        item = Evidence(
            complaint=complaint,
            original_name=checked.original_name,
            content_type=checked.content_type,
            extension=checked.extension,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=user,
        )
        # The stored name is models.evidence_path's: the complaint, the content's hash, the detected extension.
        item.file.name = self._move(self.names[id(checked)], evidence_path(item, item.original_name))
        self.names[id(checked)] = item.file.name
        item.save()
        record_event(
            complaint, user, EventKind.ADD_EVIDENCE, complaint.state, complaint.state,
            data={"evidence": item.pk, "name": item.original_name, "size": item.size, "sha256": item.sha256},
        )  # fmt: skip
        return item

    @staticmethod
    def _move(current: str, wanted: str) -> str:
        """Rename a file within the storage to `wanted`, or a free name like it (as `Storage.save` picks)."""
        source = default_storage.path(current)
        os.makedirs(os.path.dirname(default_storage.path(wanted)), exist_ok=True)
        while True:
            name = default_storage.get_available_name(wanted)
            try:
                file_move_safe(source, default_storage.path(name), allow_overwrite=False)
            except FileExistsError:  # taken between the check and the move: pick again
                continue
            return name


def serve(item: Evidence) -> FileResponse:
    """Always an attachment, under the safe name: rows stored before names were made safe are served safely
    too."""
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=uploads.safe_name(item.original_name, item.extension, fallback="evidence"),
    )
    response["Content-Type"] = item.content_type or mimetypes.types_map.get(
        item.extension, "application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
