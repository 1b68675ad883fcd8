"""The dashboard's "Centre" section: the 12315 centre's figures of the period with charts, each with its
table, in the reader's language, and its download (the regulator's only). The rows are
`centre_data.september`'s; the figures `stats.centre`'s (checked against the raw rows in its tests)."""

import html
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from complaintdesk.centre.grounds import RefusalGround
from complaintdesk.deadlines.models import Phase
from complaintdesk.stats import centre
from complaintdesk.stats.periods import Period
from complaintdesk.stats.tests import centre_data as cd
from complaintdesk.web.tests.test_statistics_pages import _download_links, _figure, _rows, _Tables

NOW = datetime(2026, 10, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SEPTEMBER = {"start": "2026-09-01", "end": "2026-09-30"}
pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(people):
    return cd.september(people)


def _get(client, url, params=None, **headers):
    with time_machine.travel(NOW, tick=False):
        response = client.get(url, params, headers=headers)
        if response.streaming:  # a download reads its figures as it streams: at the same moment
            response.streaming_content = [b"".join(response.streaming_content)]
        return response


def test_the_centre_section_shows_the_centres_figures(rows, people, browser_of):
    page = _get(browser_of(people.rita), reverse("web:dashboard"), SEPTEMBER).content.decode()
    assert 'id="h-centre"' in page
    assert _figure(page, "centre-received") == "8"
    assert _figure(page, "centre-acceptance-rate") == "50.0 %"
    assert _figure(page, "centre-mediation-success") == "50.0 %"
    assert _figure(page, "centre-amount") == "¥120.50"
    assert _figure(page, "centre-acceptance-in-time") == "60.0 %"
    assert _figure(page, "centre-days-to_acceptance") == "2 / 7"
    assert _figure(page, "centre-days-to_closing") == "8 / 15"
    assert _figure(page, "centre-satisfaction") == "3.5"
    tables = {name: dict(rows_) for name, rows_ in _Tables(page).tables.items()}
    assert tables["table-centre-channels"]["complaint"] == ["Complaints", "5"]
    assert tables["table-centre-channels"]["complaint.direct.hotline_12315"] == [
        "Complaints · Filed with the centre · 12315 hotline",
        "1",
    ]
    assert tables["table-centre-decisions"]["pending"] == ["Awaiting the decision to accept", "1"]
    assert tables["table-centre-refused"]["5"][1] == "1"
    assert tables["table-centre-terminated"]["3"][1] == "1"
    assert tables["table-centre-duties"]["acceptance"] == ["Decision to accept", "3", "1", "1", "0", "60.0 %"]
    assert tables["table-centre-days"]["to_closing_by_kind.report"] == [
        "To closing: Reports",
        "15",
        "15",
        "1",
    ]
    assert tables["table-centre-satisfaction"]["5"] == ["5", "1"]


def test_every_centre_chart_has_its_table_and_its_data(rows, people, browser_of):
    page = _get(browser_of(people.rita), reverse("web:dashboard"), SEPTEMBER).content.decode()
    section = page.split('id="centre"', 1)[1].split("</section>", 1)[0]
    targets = re.findall(r'<canvas id="(chart-centre-[\w-]+)".*?href="#(table-centre-[\w-]+)"', section)
    assert len(targets) == 6
    for canvas, table in targets:
        assert canvas.removeprefix("chart-") == table.removeprefix("table-")
        assert f'id="{table}"' in section
    data = json.loads(
        re.search(r'<script id="centre-data" type="application/json">(.*?)</script>', page, re.S).group(1)
    )
    assert data["refused"]["labels"] == ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"]
    assert data["refused"]["data"] == [1, 0, 0, 0, 1, 0]
    assert data["refused"]["titles"][4].startswith("(5) Required details missing")
    assert [s["key"] for s in data["duties"]["series"]] == ["met_in_time", "met_late", "missed", "running"]
    assert data["satisfaction"]["data"] == [0, 1, 0, 0, 1]
    assert "web/centre.js" in page


def test_the_centre_section_reads_in_chinese(rows, people, browser_of):
    page = _get(
        browser_of(people.rita), reverse("web:dashboard"), SEPTEMBER, **{"Accept-Language": "zh-hans"}
    )
    text = html.unescape(page.content.decode())
    assert page.status_code == 200
    assert 'lang="zh-Hans"' in text
    assert _figure(text, "centre-received") == "8"
    with translation.override("zh-hans"):
        ground, duty = str(RefusalGround(5).label), str(Phase.ACCEPTANCE.label)
    assert ground != "(5) Required details missing" and ground in text
    assert dict(_Tables(text).tables["table-centre-duties"])["acceptance"][0] == duty


def test_the_centre_download_is_the_figures_row_for_row(rows, people, browser_of):
    client = browser_of(people.rita)
    page = _get(client, reverse("web:dashboard"), SEPTEMBER).content.decode()
    links = _download_links(page)["centre"]
    table = _rows(_get(client, links["csv"]))
    assert table[0] == ["Section", "Figure", "Code", "Value"]
    with time_machine.travel(NOW, tick=False):
        f = centre.figures(Period.parse(*(datetime.fromisoformat(d).date() for d in SEPTEMBER.values())))
    expected = {r.code: r.value for r in centre.rows(f)}
    got = {row[2]: row[3] for row in table[1:]}
    for code, value in expected.items():
        assert got[code] == ("" if value is None else str(value)), code
    xlsx = _rows(_get(client, links["xlsx"]))
    assert [row[2] for row in xlsx] == [row[2] for row in table]


@pytest.mark.parametrize("who", ["bob", "carol"])
def test_a_shops_staff_cannot_download_the_centres_figures(rows, people, browser_of, who):
    response = _get(
        browser_of(getattr(people, who)), reverse("web:export_statistics"), {**SEPTEMBER, "table": "centre"}
    )
    assert response.status_code == 403
    # …nor see them on a page: the dashboard is the regulator's.
    assert _get(browser_of(getattr(people, who)), reverse("web:dashboard"), SEPTEMBER).status_code in (
        302,
        403,
    )


def test_the_download_is_headed_in_the_readers_language(rows, people, browser_of):
    client = browser_of(people.rita)
    response = _get(
        client,
        reverse("web:export_statistics"),
        {**SEPTEMBER, "table": "centre"},
        **{"Accept-Language": "zh-hans"},
    )
    assert response.status_code == 200
    table = _rows(response)
    assert table[0] != ["Section", "Figure", "Code", "Value"]
    assert {row[2] for row in table[1:]} >= {"received.complaint", "acceptance_rate", "satisfaction.average"}
