import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from complaintdesk.complaints import evidence
from complaintdesk.complaints.models import Complaint, ComplaintEvent, Evidence
from complaintdesk.complaints.services import perform
from complaintdesk.complaints.tests import factories

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite backup; PostgreSQL uses pg_dump"
)


# Restoring writes the whole database, so it must not run inside the test's own transaction.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restored_backup_has_every_complaint_event_and_evidence_file(people, tmp_path, settings):
    complaints = [factories.complaint(people.alice, people.acme) for _ in range(3)]
    perform(complaints[0].pk, people.bob, "respond", "On it")
    evidence.attach(
        complaints[1], people.alice, SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"1" * 50)
    )
    before = {
        "complaints": sorted(Complaint.objects.values_list("reference", "state")),
        "events": sorted(ComplaintEvent.objects.values_list("id", "action")),
    }
    call_command("backup", str(tmp_path / "b"), stdout=io.StringIO())

    # Disaster: a new complaint, then the media folder and the rows are gone.
    factories.complaint(people.erin, people.acme)
    stored = Evidence.objects.get()
    stored.file.delete(save=False)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM complaints_idempotencykey")
    call_command("restore", str(tmp_path / "b"), stdout=io.StringIO())

    assert sorted(Complaint.objects.values_list("reference", "state")) == before["complaints"]
    assert sorted(ComplaintEvent.objects.values_list("id", "action")) == before["events"]
    restored = Evidence.objects.get()
    assert restored.file.open("rb").read().startswith(b"\x89PNG")


@pytest.mark.django_db
def test_backup_refuses_a_non_empty_folder_and_restore_a_non_backup(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "full"))
    with pytest.raises(CommandError, match="not a ComplaintDesk backup"):
        call_command("restore", str(tmp_path / "full"))
