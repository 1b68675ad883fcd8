"""The lists of reports and enquiries at a national centre's size (issue 15): a page asks the same number of
queries whether it holds two matters or twenty, with their letters, deadlines and transfers (no query per
matter), for a city-level officer and a district's alike."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.centre import matters
from complaintdesk.centre.matters import Filing
from complaintdesk.centre.models import MatterKind
from complaintdesk.centre.tests import bureaus


def _file(city, kind: str, n: int, decided: bool) -> None:
    text = f"Sells fakes {n}" if kind == MatterKind.REPORT else f"Is a 7-day return owed? {n}"
    matter = matters.file(None, Filing(kind, text, merchant=city.acme.pk, contact_phone=f"138000000{n:02d}"))
    if decided:  # a letter to the person who wrote in
        if kind == MatterKind.REPORT:
            matters.decide_report(matter.pk, city.rita, "no_case", "Nothing unlawful found.")
        else:
            matters.answer_enquiry(matter.pk, city.rita, "Yes, within seven days.")


def _queries(client, path: str) -> tuple[int, int]:
    client.get(path, {"page_size": 50})  # what a process reads once (the settings' rows) is read
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(path, {"page_size": 50})
    assert answer.status_code == 200, answer.content
    return len(captured.captured_queries), len(answer.json()["items"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "path"), [(MatterKind.REPORT, "/reports"), (MatterKind.ENQUIRY, "/enquiries")]
)
def test_a_page_of_matters_asks_as_many_queries_for_twenty_as_for_two(people, api, kind, path):
    city = bureaus.build(people)
    for n in range(2):
        _file(city, kind, n, decided=n == 0)
    officers = (api(city.rita), api(city.dora))  # Acme is in Dora's district
    few = [_queries(client, path) for client in officers]
    assert [items for _, items in few] == [2, 2]
    for n in range(2, 20):
        _file(city, kind, n, decided=n % 2 == 0)
    many = [_queries(client, path) for client in officers]
    assert [items for _, items in many] == [20, 20]
    assert [count for count, _ in many] == [count for count, _ in few]
