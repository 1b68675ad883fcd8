"""What a list's rows cost to render (issue 15: the web lists at 10 M complaints spent a third of their time
in the template): a deadline's cell made by `DeadlineView` rather than by the template's filters, and a
row's labels translated once each, not each choice of the field hashed (Django's get_<field>_display)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import trans_real

from complaintdesk.complaints.choices import Kind, State
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import Deadline, DeadlineStatus, Phase
from complaintdesk.web.display import DeadlineView, deadline_view

# A Friday morning in Shanghai (02:00 UTC).
NOW = "2026-11-20 10:00 +08:00"


def _view(tone: str, due_in: timedelta, status=DeadlineStatus.OPEN) -> DeadlineView:
    due = timezone.now() + due_in
    return DeadlineView(
        phase=Phase.FIRST_RESPONSE,
        phase_label=Phase.FIRST_RESPONSE.label,
        due_at=due,
        remind_at=due - timedelta(minutes=30),
        rule_label="",
        status=status,
        status_label=DeadlineStatus(status).label,
        met_at=due - timedelta(minutes=5) if tone.startswith("met") else None,
        warning="",
        tone=tone,
    )


def _cell(view: DeadlineView) -> str:
    """The cell's HTML on one line (its no-break spaces, as in "2 hours", kept)."""
    return re.sub(r"[ \n]+", " ", render_to_string("web/_deadline.html", {"d": view}))


@time_machine.travel(NOW, tick=False)
def test_a_deadlines_cell_says_how_long_is_left_or_overdue_or_how_it_ended():
    late, soon = _view("overdue", -timedelta(hours=2)), _view("ok", timedelta(hours=3, minutes=5))
    assert f"overdue by {timesince(late.due_at)}" in _cell(late)
    assert timesince(late.due_at) == "2\xa0hours"
    assert f"{timeuntil(soon.due_at)} left" in _cell(soon)
    assert "Met in time" in _cell(_view("met", -timedelta(hours=1)))
    assert "Met late" in _cell(_view("met-late", -timedelta(hours=1)))
    assert "Paused" in _cell(_view("paused", timedelta(hours=1), DeadlineStatus.PAUSED))
    # Due at 08:00 UTC: in the reader's time (Shanghai), beside the phase.
    assert "First response · 2026-11-20 16:00" in _cell(_view("ok", timedelta(hours=6)))
    # The page's clock counts down the running ones only.
    met = _view("met", -timedelta(hours=1))
    assert "data-countdown" in _cell(soon) and "data-countdown" not in _cell(met)


@time_machine.travel(NOW, tick=False)
def test_a_missed_duty_says_missed_not_how_long_overdue():
    """A breached duty whose complaint ended (DeadlineStatus.MISSED) no longer runs: no "overdue by …" that
    would grow for ever, no countdown."""
    due = timezone.now() - timedelta(days=90)
    missed = Deadline(
        phase=Phase.FIRST_RESPONSE,
        due_at=due,
        remind_at=due - timedelta(minutes=30),
        status=DeadlineStatus.MISSED,
        warning="",
    )
    view = deadline_view(missed)
    assert view.tone == "missed" and not view.running
    cell = _cell(view)
    assert "tone-missed" in cell and "Missed" in cell
    assert "overdue" not in cell and "data-countdown" not in cell
    with translation.override("zh-hans"):
        assert "未完成且超时" in _cell(deadline_view(missed))


@time_machine.travel(NOW, tick=False)
def test_a_deadlines_cell_speaks_chinese_to_a_chinese_reader():
    late, soon = _view("overdue", -timedelta(hours=2)), _view("ok", timedelta(hours=3))
    with translation.override("zh-hans"):
        assert f"已超时 {timesince(late.due_at)}" in _cell(late)
        assert f"剩余 {timeuntil(soon.due_at)}" in _cell(soon)
        assert "小时" in timesince(late.due_at)
        assert "overdue by" not in _cell(late) and " left" not in _cell(soon)


@pytest.mark.django_db
def test_a_complaints_state_and_kind_read_as_their_labels_in_the_readers_language(people):
    c = factories.complaint(people.alice, people.acme)
    for state in State:
        c.state = state
        assert c.get_state_display() == str(state.label)
    for kind in Kind:
        c.kind = kind
        assert c.get_kind_display() == str(kind.label)
    c.state, c.kind = State.ESCALATED, Kind.COMPLAINT
    with translation.override("zh-hans"):
        assert (c.get_state_display(), c.get_kind_display()) == ("已升级至12315", "投诉")
    c.state = "not-a-state"  # as Django's own: a value with no label reads as itself
    assert c.get_state_display() == "not-a-state"


def _lookups(monkeypatch, client, url: str) -> int:
    """How many times the page looked a message up in the translation catalogue."""
    calls = []
    real = trans_real.DjangoTranslation.gettext
    monkeypatch.setattr(
        trans_real.DjangoTranslation, "gettext", lambda self, m: calls.append(m) or real(self, m)
    )
    assert client.get(url).status_code == 200
    monkeypatch.setattr(trans_real.DjangoTranslation, "gettext", real)
    return len(calls)


@pytest.mark.django_db
def test_each_row_of_a_list_costs_a_few_catalogue_look_ups_not_one_for_each_choice(
    people, browser_of, monkeypatch
):
    """The console's list of complaints and the shop's workbench: ten more rows, a handful of look-ups
    more each (its state, kind, phase and countdown), where the column labels were translated again on each
    row and each state and kind hashed every choice's label (~25 a row)."""
    factories.complaint(people.alice, people.acme)
    pages = {"console": (browser_of(people.rita), reverse("web:all_complaints")),
             "workbench": (browser_of(people.bob), reverse("web:queue"))}  # fmt: skip
    before = {name: _lookups(monkeypatch, client, url) for name, (client, url) in pages.items()}
    for _ in range(10):
        factories.complaint(people.alice, people.acme)
    assert Complaint.objects.count() == 11
    for name, (client, url) in pages.items():
        per_row = (_lookups(monkeypatch, client, url) - before[name]) / 10
        assert 2 <= per_row <= 6, (name, per_row)
