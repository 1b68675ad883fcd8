import pytest
from django.db import IntegrityError, connection, transaction

from complaintdesk.complaints.models import ComplaintEvent
from complaintdesk.complaints.tests import factories

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    ["UPDATE complaints_complaintevent SET message = 'forged'", "DELETE FROM complaints_complaintevent"],
)
def test_the_database_refuses_to_change_or_delete_events(people, change):
    factories.complaint(people.alice, people.acme)
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(change)
    assert ComplaintEvent.objects.filter(message="forged").count() == 0
    assert ComplaintEvent.objects.count() == 1
