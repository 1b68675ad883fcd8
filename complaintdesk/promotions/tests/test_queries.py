"""Who sees which filing, and who downloads its plan, called directly: the API and the web both ask here."""

from datetime import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.http import Http404

from complaintdesk.accounts.models import Role, User
from complaintdesk.promotions import queries
from complaintdesk.promotions.tests.helpers import SHANGHAI, past_filing

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def filings(people):
    """One filing of Acme's (with its plan) and one of Bazaar's (without)."""
    starts, ends = datetime(2026, 11, 11, tzinfo=SHANGHAI), datetime(2026, 11, 12, tzinfo=SHANGHAI)
    acme = past_filing(people.acme, people.bob, starts, ends, name="Acme Double 11")
    acme.plan_file.save("plan.pdf", ContentFile(PDF), save=False)
    acme.plan_name = "Notfallplan 双十一.pdf"
    acme.save()
    bazaar = past_filing(people.bazaar, people.dave, starts, ends, name="Bazaar Double 11")
    return acme, bazaar


def _who(people, name):
    return AnonymousUser() if name == "anonymous" else getattr(people, name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "sees"),
    [
        ("rita", {"Acme Double 11", "Bazaar Double 11"}),
        ("carol", {"Acme Double 11"}),
        ("bob", {"Acme Double 11"}),
        ("dave", {"Bazaar Double 11"}),
        ("alice", set()),
        ("anonymous", set()),
    ],
)
def test_each_role_sees_exactly_its_filings(people, filings, name, sees):
    user = _who(people, name)
    assert {p.name for p in queries.visible(user)} == sees
    assert queries.sees_filings(user) is bool(sees)


@pytest.mark.django_db
def test_shop_staff_without_a_shop_see_no_filing(people, filings):
    # The form refuses such an account, the database does not: it must not fall through to "all".
    stray = User.objects.create(username="stray", role=Role.MERCHANT_AGENT)
    assert not queries.sees_filings(stray)
    assert not queries.visible(stray).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["rita", "carol", "bob"])
def test_the_regulator_and_the_shops_staff_download_the_plan(people, filings, name):
    acme, _ = filings
    response = queries.plan_download(_who(people, name), acme.pk)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Notfallplan%20%E5%8F%8C%E5%8D%81%E4%B8%80.pdf"
    )
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["dave", "alice", "anonymous"])
def test_anyone_else_finds_no_plan_and_no_filing(people, filings, name):
    acme, _ = filings
    with pytest.raises(Http404) as raised:
        queries.plan_download(_who(people, name), acme.pk)
    # Another shop's filing looks like one that does not exist, not like one without a plan.
    assert not isinstance(raised.value, queries.NoPlanAttached)


@pytest.mark.django_db
def test_a_visible_filing_without_a_plan_says_so(people, filings):
    _, bazaar = filings
    with pytest.raises(queries.NoPlanAttached):
        queries.plan_download(people.rita, bazaar.pk)
    with pytest.raises(queries.NoPlanAttached):
        queries.plan_download(people.dave, bazaar.pk)


@pytest.mark.django_db
def test_a_filing_that_does_not_exist_is_not_found(people, filings):
    with pytest.raises(Http404) as raised:
        queries.plan_download(people.rita, max(p.pk for p in filings) + 1)
    assert not isinstance(raised.value, queries.NoPlanAttached)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "links"),
    [
        ("rita", {"Acme accepted", "Acme submitted", "Acme returned", "Bazaar accepted", "Bazaar submitted"}),
        ("carol", {"Acme accepted", "Acme submitted", "Acme returned"}),
        ("dave", {"Bazaar accepted", "Bazaar submitted"}),
        ("alice", {"Acme accepted", "Bazaar accepted"}),
        ("anonymous", {"Acme accepted", "Bazaar accepted"}),
    ],
)
def test_a_complaint_names_by_id_the_filings_its_filer_sees_or_accepted_ones(people, name, links):
    starts, ends = datetime(2026, 11, 11, tzinfo=SHANGHAI), datetime(2026, 11, 12, tzinfo=SHANGHAI)
    for shop, staff, states in (
        (people.acme, people.bob, ("accepted", "submitted", "returned")),
        (people.bazaar, people.dave, ("accepted", "submitted")),
    ):
        for state in states:
            past_filing(shop, staff, starts, ends, name=f"{shop.name.split()[0]} {state}", state=state)
    assert {p.name for p in queries.linkable(_who(people, name))} == links
