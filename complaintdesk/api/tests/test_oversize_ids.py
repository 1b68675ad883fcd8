"""An id in the path larger than any database integer names no row: 404, exactly as an id that does not exist,
and nothing changes. Every operation of the OpenAPI document with an id in its path is tried, so a new one
is covered the day it lands.

On Django 5.2 an integer lookup out of the column's range returns no rows instead of reaching the database
(where SQLite would raise OverflowError), so no exception handler is needed for this.
"""

import pytest

from complaintdesk.alerts.models import Alert
from complaintdesk.api.tests import world
from complaintdesk.api.tests.test_tenancy_matrix import OPERATIONS, PATH_VALUES, Caller
from complaintdesk.complaints.models import Complaint, ComplaintEvent, Evidence
from complaintdesk.merchants.models import Merchant
from complaintdesk.pledges.models import PledgeSignature
from complaintdesk.promotions.models import Promotion, PromotionEvent

OVERSIZE_ID = 10**23  # beyond 2**63 - 1, the largest database integer
MISSING_ID = 987654
# Path parameters that are not row ids: a verb and a commitment number (1 to 8).
NOT_IDS = {"action": "respond", "number": "1"}
WITH_IDS = [
    (method, path, operation)
    for method, path, operation in OPERATIONS
    if any("{" + name + "}" in path for name in PATH_VALUES if name not in NOT_IDS)
]
# Who may take each operation at all, so that the answer is about the id: the regulator sees every shop,
# but only a shop's coordinator signs the pledge, a consumer joins a group and its shop's staff answer it.
CALLER = {
    "POST /api/v1/pledges/{version_id}/sign": "carol",
    "POST /api/v1/groups/{group_id}/join": "alice",
    "POST /api/v1/groups/{group_id}/answer": "bob",
}


def _url(path: str, row_id: int) -> str:
    for name in PATH_VALUES:
        path = path.replace("{" + name + "}", NOT_IDS.get(name, str(row_id)))
    return path


def _counts():
    return tuple(
        model.objects.count()
        for model in (Complaint, ComplaintEvent, Evidence, Promotion, PromotionEvent, Alert, PledgeSignature)
    ) + (Merchant.objects.filter(is_active=True).count(),)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "operation"), WITH_IDS, ids=[f"{m} {p}" for m, p, _ in WITH_IDS])
def test_an_id_beyond_any_database_integer_is_not_found(people, client, method, path, operation):
    world.build(people)
    call = Caller(client, getattr(people, CALLER.get(f"{method} {path}", "rita")))
    before = _counts()
    oversize = call(method, _url(path, OVERSIZE_ID), operation, None)
    assert oversize.status_code == 404, oversize.content[:300]
    assert oversize.json() == call(method, _url(path, MISSING_ID), operation, None).json()
    assert _counts() == before
