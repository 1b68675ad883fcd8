"""GET /api/v1/stats/centre and the centre's download (`/stats/export?table=centre`): SPEC §7's names, the
regulator's only, every bad input a 4xx naming the parameter. The rows are `centre_data.september`'s."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from openpyxl import load_workbook

from complaintdesk.stats.models import CentreCount
from complaintdesk.stats.tests import centre_data as cd

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 10, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SEPTEMBER = {"start": "2026-09-01", "end": "2026-09-30"}
# SPEC §7: the names clients rely on.
STABLE_NAMES = {
    "received", "accepted", "refused", "acceptance_rate", "agreed", "terminated", "mediation_success_rate",
    "amount_recovered", "duties", "satisfaction",
}  # fmt: skip


@pytest.fixture
def rows(people):
    return cd.september(people)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_regulator_gets_the_centres_figures_under_the_specs_names(rows, people, api):
    response = api(people.rita).get("/stats/centre", SEPTEMBER)
    assert response.status_code == 200
    body = response.json()
    assert body.keys() >= STABLE_NAMES
    assert body["received"] == {"complaint": 5, "report": 2, "enquiry": 1, "total": 8}
    assert (body["accepted"], body["refused"], body["acceptance_rate"]) == (2, 2, 0.5)
    assert (body["agreed"], body["terminated"], body["mediation_success_rate"]) == (1, 1, 0.5)
    assert body["amount_recovered"] == "120.50"
    assert set(body["duties"]) == {
        "acceptance",
        "mediation",
        "termination_notice",
        "report_decision",
        "enquiry_answer",
    }
    assert body["duties"]["acceptance"]["share_in_time"] == 0.6
    assert body["satisfaction"] == {
        "count": 2,
        "average": 3.5,
        "distribution": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1},
    }
    assert body["working_days"]["to_acceptance"] == {"count": 2, "median": 2, "p90": 7}
    assert body["bureau"] is None


def test_one_bureau(rows, people, api):
    body = api(people.rita).get("/stats/centre", {**SEPTEMBER, "bureau": rows["district"].pk}).json()
    assert body["bureau"] == rows["district"].pk
    assert body["received"]["complaint"] == 1
    assert body["refused_by_ground"]["1"] == 1


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_only_regulator_officers_see_the_centres_figures(rows, people, api, who):
    response = api(getattr(people, who)).get("/stats/centre", SEPTEMBER)
    assert response.status_code == 403
    download = api(getattr(people, who)).get("/stats/export", {**SEPTEMBER, "table": "centre"})
    assert download.status_code == 403


def test_without_a_token_it_is_refused(rows, api):
    assert api(None).get("/stats/centre", SEPTEMBER).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-09-30", "end": "2026-09-01"}, "end"),
        ({"start": "2026-13-01", "end": "2026-09-30"}, "start"),
        ({"end": "2026-09-30"}, "start"),
        ({**SEPTEMBER, "bureau": "city"}, "bureau"),
        ({**SEPTEMBER, "bureau": 0}, "bureau"),
        ({**SEPTEMBER, "bureau": 2**63}, "bureau"),
        ({"start": "1900-01-01", "end": "2026-09-30"}, "end"),  # longer than any dashboard shows
        ({"start": "0001-01-01", "end": "0001-01-31"}, "start"),
    ],
)
def test_bad_parameters_are_refused_naming_them_and_change_nothing(rows, people, api, params, field):
    before = sorted(CentreCount.objects.values_list("bureau", "day", "kind", "state", "n"))
    response = api(people.rita).get("/stats/centre", params)
    assert response.status_code == 422
    assert field in {str(part) for issue in response.json()["detail"] for part in issue["loc"]}
    assert sorted(CentreCount.objects.values_list("bureau", "day", "kind", "state", "n")) == before


def test_an_unknown_bureau_is_not_found(rows, people, api):
    assert api(people.rita).get("/stats/centre", {**SEPTEMBER, "bureau": 999_999}).status_code == 404
    download = api(people.rita).get("/stats/export", {**SEPTEMBER, "table": "centre", "bureau": 999_999})
    assert download.status_code == 404


def test_the_download_holds_every_figure_with_its_code(rows, people, api):
    response = api(people.rita).get("/stats/export", {**SEPTEMBER, "table": "centre", "format": "csv"})
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(_content(response).decode("utf-8-sig"))))
    assert table[0] == ["Section", "Figure", "Code", "Value"]
    values = {row[2]: row[3] for row in table[1:]}
    assert (values["period_start"], values["period_end"]) == ("2026-09-01", "2026-09-30")
    assert values["received.complaint"] == "5"
    assert values["refused_by_ground.5"] == "1"
    assert values["acceptance_rate"] == "0.5"
    assert values["amount_recovered"] == "120.50"
    assert values["duties.acceptance.share_in_time"] == "0.6"
    assert values["working_days.to_closing.p90"] == "15"
    assert values["satisfaction.average"] == "3.5"
    assert values["received_by_channel.complaint.direct.hotline_12315"] == "1"
    labels = {row[2]: row[1] for row in table[1:]}
    assert labels["refused_by_ground.5"].startswith("(5) Required details missing")


def test_the_download_speaks_the_readers_language(rows, people, api):
    response = api(people.rita).get(
        "/stats/export",
        {**SEPTEMBER, "table": "centre", "format": "xlsx"},
        headers={"Accept-Language": "zh-hans"},
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(_content(response))).active
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    codes = {row[2]: row for row in table[1:]}
    assert codes["received.complaint"][3] == 5
    with translation.override("zh-hans"):
        from complaintdesk.centre.grounds import RefusalGround  # noqa: PLC0415 - the label in Chinese

        assert codes["refused_by_ground.5"][1] == str(RefusalGround(5).label)
    assert codes["refused_by_ground.5"][1] != "(5) Required details missing"
