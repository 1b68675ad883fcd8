"""A promotion whose dates do not fit its type is filed, with a question: a "Double 11" in December."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from complaintdesk.promotions import typecheck
from complaintdesk.promotions.models import Promotion
from complaintdesk.web.tests.test_promotion_filings import _form

NOW = "2026-10-01 10:00 +08:00"
QUESTION = "Double 11 (11.11) usually runs from November 1 to November 14; is the type right?"


def _file(client, start, end, **overrides):
    data = _form(starts_at=start, ends_at=end, **overrides)
    return client.post(reverse("web:new_filing"), data, follow=True)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_double_11_filed_for_12_december_is_accepted_with_a_question(people, browser_of):
    response = _file(browser_of(people.bob), "2026-12-12T00:00", "2026-12-13T00:00")
    promotion = Promotion.objects.get()
    assert response.redirect_chain[-1][0] == reverse("web:filing", args=[promotion.pk])
    page = response.content.decode()
    assert "The promotion was filed with the 12315 centre." in page and QUESTION in page


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_double_11_in_november_or_a_double_12_in_december_asks_nothing(people, browser_of):
    client = browser_of(people.bob)
    for kind, start, end in [
        ("double_11", "2026-11-10T00:00", "2026-11-12T00:00"),
        ("double_12", "2026-12-12T00:00", "2026-12-13T00:00"),
        ("other", "2026-12-12T00:00", "2026-12-13T00:00"),
    ]:
        page = _file(client, start, end, type=kind).content.decode()
        assert "is the type right?" not in page, kind
    assert Promotion.objects.count() == 3


@pytest.mark.django_db
def test_the_question_names_the_days_in_the_readers_language():
    start, end = (datetime(2026, 12, d, tzinfo=ZoneInfo("Asia/Shanghai")) for d in (12, 13))
    with translation.override("zh-hans"):
        (question,) = typecheck.type_warnings("double_11", start, end)
    assert "11月1日" in question and "11月14日" in question
