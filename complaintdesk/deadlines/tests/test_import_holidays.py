"""The regulator closes the gap the packages leave (2027 and later) from the State Council notice."""

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import CalendarOverride
from complaintdesk.deadlines.services import calendar_warnings

DATA = Path(__file__).parent / "data"
SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["holiday-cn-2027-illustrative.json", "cn-holidays-2027-illustrative.ics"])
def test_importing_a_notice_covers_the_year_and_moves_guessed_deadlines(people, name, capsys):
    with time_machine.travel(datetime(2026, 12, 28, 10, tzinfo=SH), tick=False):
        c = factories.complaint(people.alice, people.acme)
        assert any(w.startswith("2027: no statutory calendar covers") for w in calendar_warnings())
        guessed = c.deadlines.get(phase="resolution")
        assert guessed.warning
        call_command("import_holidays", str(DATA / name))
        assert not any(w.startswith("2027") for w in calendar_warnings())
    assert CalendarOverride.objects.filter(date__year=2027).exists()
    resolution = c.deadlines.get(phase="resolution")
    assert resolution.warning == ""
    new_year = CalendarOverride.objects.get(date="2027-01-01")
    assert new_year.is_day_off
    assert c.events.filter(action="recompute_deadlines").exists() == (resolution.due_at != guessed.due_at)
    assert "Imported" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_broken_notice_is_refused_with_the_reason_and_stores_nothing(tmp_path):
    bad = tmp_path / "2027.json"
    bad.write_text(
        json.dumps({"year": 2027, "days": [{"name": "元旦", "date": "2027-13-01", "isOffDay": True}]})
    )
    with pytest.raises(CommandError, match="2027.json"):
        call_command("import_holidays", str(bad))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_holidays", str(tmp_path / "missing.json"))
    assert CalendarOverride.objects.count() == 0


@pytest.mark.django_db
def test_a_notice_that_touches_the_previous_year_does_not_cover_it(tmp_path):
    notice = {
        "year": 2028,
        "papers": [],
        "days": [
            {"name": "元旦", "date": "2027-12-31", "isOffDay": True},
            {"name": "元旦", "date": "2028-01-01", "isOffDay": True},
            {"name": "春节", "date": "2028-01-26", "isOffDay": True},
        ],
    }
    path = tmp_path / "2028.json"
    path.write_text(json.dumps(notice))
    call_command("import_holidays", str(path))
    assert set(CalendarOverride.objects.values_list("notice_year", flat=True)) == {2028}
    warnings = calendar_warnings(today=datetime(2027, 6, 1).date())
    assert any(w.startswith("2027: no statutory calendar covers") for w in warnings)
    assert not any(w.startswith("2028") for w in warnings)
