"""The back office in the reader's language (issue 16, item 7): app, model, field and column names go through
the catalogue, times are the regulator's, stored JSON reads as rows."""

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from complaintdesk.accounts import login_protection
from complaintdesk.accounts.models import ApiToken, User
from complaintdesk.alerts.models import Alert, AlertKind
from complaintdesk.centre.models import NoticeKind
from complaintdesk.complaints import notices, services
from complaintdesk.complaints.tests import factories
from complaintdesk.lib.admin_display import json_rows
from complaintdesk.notify.events import EVENT_LABELS
from complaintdesk.notify.models import OutboxMessage
from complaintdesk.promotions.notices import REVIEWED

# The statistics rollups are not in the back office.
NOT_IN_ADMIN = {"stats"}

# Names that go through the catalogue but have no Chinese in it yet (the translator adds them). Every one
# has its Chinese now; a name added here must be removed once it is Chinese. Nothing else may be English.
AWAITING_CHINESE: set[str] = set()

# 17:05 UTC: 01:05 the next morning in Shanghai, the regulator's zone.
FILED = datetime(2026, 12, 2, 17, 5, tzinfo=UTC)


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", "root@12315.test", "not-used")


def _back_office(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _ours():
    return [app for app in apps.get_app_configs() if app.name.startswith("complaintdesk.")]


def _in_back_office():
    """The registered models of our apps and of django-axes, whose names our catalogue carries."""
    return [
        model for model in admin.site._registry if model.__module__.startswith(("complaintdesk.", "axes."))
    ]


def test_every_app_has_a_translatable_name():
    for app in _ours():
        if app.models_module is not None:
            assert isinstance(app.verbose_name, Promise), app.label


def test_every_model_and_field_has_a_translatable_name():
    untranslated = [
        f"{model._meta.label}.{field.name}" if field else model._meta.label
        for app in _ours()
        if app.label not in NOT_IN_ADMIN
        for model in app.get_models()
        for field in [None, *model._meta.get_fields()]
        if (field is None and not isinstance(model._meta.verbose_name_plural, Promise))
        or (field is not None and not field.auto_created and not isinstance(field.verbose_name, Promise))
    ]
    assert untranslated == []


def test_every_list_column_has_a_translatable_heading():
    untranslated = []
    for model in _in_back_office():
        model_admin = admin.site._registry[model]
        for column in model_admin.list_display:
            if callable(column):
                heading = getattr(column, "short_description", None)
            elif column == "__str__":
                heading = model._meta.verbose_name
            elif hasattr(model_admin, column):
                heading = getattr(getattr(model_admin, column), "short_description", None)
            elif column in {f.name for f in model._meta.get_fields()}:
                heading = model._meta.get_field(column).verbose_name
            else:  # a property: the admin makes a heading of its name, in English
                heading = None
            if not isinstance(heading, Promise):
                untranslated.append(f"{model._meta.label}: {column}")
    assert untranslated == []


@pytest.mark.django_db
def test_the_chinese_back_office_names_no_app_or_model_in_english(root):
    page = _back_office(root, "zh-hans").get(reverse("admin:index")).content.decode()
    apps_shown = re.findall(r"<caption>\s*<a [^>]*>([^<]+)</a>", page)
    models_shown = re.findall(r'<th scope="row"[^>]*>\s*<a [^>]*>([^<]+)</a>', page)
    assert "投诉" in apps_shown and "商家" in apps_shown and "促销备案" in models_shown
    english = {name for name in apps_shown + models_shown if re.search(r"[A-Za-z]{2,}", name)}
    assert english <= AWAITING_CHINESE, english - AWAITING_CHINESE


@pytest.mark.django_db
def test_every_changelist_opens_in_chinese(root, people):
    factories.complaint(people.alice, people.acme)
    client = _back_office(root, "zh-hans")
    for model in _in_back_office():
        opts = model._meta
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert response.status_code == 200, opts.label


@pytest.mark.django_db
def test_a_complaints_page_shows_the_regulators_times_and_readable_details(root, people):
    with time_machine.travel(FILED, tick=False):
        complaint = factories.complaint(people.alice, people.acme)
    page = _back_office(root).get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    first = complaint.deadlines.get(phase="first_response")
    local_due = f"{first.due_at.astimezone(ZoneInfo('Asia/Shanghai')):%Y-%m-%d %H:%M}"
    # The deadline inline's row label: the phase by name and the due time in Shanghai, not UTC.
    assert f"First response due {local_due}" in text
    # The filing event's details: a row per deadline with its local time, no raw JSON.
    assert '<dl class="json-rows"><dt>deadlines</dt><dd><dl class="json-rows">' in text
    assert f"<dt>first response</dt><dd>{local_due}</dd>" in text
    assert '{"deadlines"' not in text and "+00:00" not in text


@pytest.mark.django_db
def test_an_alerts_page_says_what_the_detector_saw_in_words_and_rows(root, people):
    alert = Alert.objects.create(
        kind=AlertKind.SURGE, merchant=people.acme, episode_key="2026-12-02T14", title="Surge", raised_at=FILED,
        observed=12, expected=0.05, p_value=4.9e-25,
        facts={"shop": "Acme Online", "observed": 12, "expected": 0.05, "p_value": 4.9e-25,
               "window_start": "2026-12-02T06:00:00+00:00", "window_end": "2026-12-02T07:00:00+00:00"},
        details={"hours": {"2026-12-02T14:00:00+08:00": {"observed": 12, "expected": 0.05, "p_value": 4.9e-25}}},
    )  # fmt: skip
    text = _back_office(root).get(reverse("admin:alerts_alert_change", args=[alert.pk])).content.decode()
    # The facts as rows, their window in Shanghai (14:00, not 06:00 UTC); the expected count and the
    # probability as the console says them.
    assert "<dt>window start</dt><dd>2026-12-02 14:00</dd>" in text and "<dt>hours</dt>" in text
    assert "fewer than 1" in text and "far above normal" in text
    assert "e-25" not in text and "+00:00" not in text and '{"shop"' not in text


@pytest.mark.django_db
def test_an_outbox_messages_page_reads_its_payload_and_notice_as_rows(root, people):
    with time_machine.travel(FILED, tick=False):
        complaint = factories.complaint(people.alice, people.acme)
    message = OutboxMessage.objects.get(event="complaint_filed")
    text = _back_office(root).get(reverse("admin:notify_outboxmessage_change", args=[message.pk])).content
    first = complaint.deadlines.get(phase="first_response")
    local_due = f"{first.due_at.astimezone(ZoneInfo('Asia/Shanghai')):%Y-%m-%d %H:%M}"
    assert f"<dt>first response</dt><dd>{local_due}</dd>".encode() in text
    assert b"<dt>reference</dt><dd>TS-" in text and b"<dt>named</dt>" in text
    assert b'{"complaint"' not in text and b"+00:00" not in text


@pytest.mark.django_db
def test_an_unnamed_token_is_labelled_by_its_day_in_the_regulators_zone(root):
    with time_machine.travel(FILED, tick=False):  # 2 December in UTC, already the 3rd in Shanghai
        token, _raw = ApiToken.issue(root)
    assert str(token) == "root · 2026-12-03"


def _msgid(name) -> str:
    with translation.override(None):  # no catalogue: a lazy name reads as its msgid
        return str(name)


def test_every_name_django_axes_shows_goes_into_our_catalogue():
    """The package's own catalogue has no Chinese: its names must be the ones login_protection marks."""
    assert isinstance(apps.get_app_config("axes").verbose_name, Promise)
    shown = []
    for model in apps.get_app_config("axes").get_models():
        shown += [model._meta.verbose_name, model._meta.verbose_name_plural]
        shown += [f.verbose_name for f in model._meta.get_fields() if not f.auto_created]
        shown += [
            getattr(f, "help_text", "") for f in model._meta.get_fields() if getattr(f, "help_text", "")
        ]
    for model in _in_back_office():
        if model._meta.app_label == "axes":
            model_admin = admin.site._registry[model]
            shown += [title for title, _options in model_admin.fieldsets or () if title]
            shown += [action.short_description for action, *_rest in model_admin._get_base_actions()]
            shown += [f.title for f in model_admin.list_filter if isinstance(f, type)]
    assert all(isinstance(name, Promise) for name in shown)
    ours = {*login_protection.PACKAGE_NAMES, "status"}
    assert {_msgid(name) for name in shown} - ours - {"Delete selected %(verbose_name_plural)s"} == set()


@pytest.mark.django_db
def test_the_attempts_list_heads_its_status_column_from_our_catalogue(root):
    AccessAttempt.objects.create(
        username="wang", ip_address="192.0.2.7", user_agent="Firefox", http_accept="*/*", path_info="/login/",
        get_data="", post_data="", failures_since_start=2,
    )  # fmt: skip
    page = _back_office(root, "zh-hans").get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "状态" in page and ">Status<" not in page


def test_json_rows_escape_what_a_shop_or_consumer_wrote():
    shown = json_rows({"message": "<script>x</script>", "late": True, "contacts": [{"name": "Wang"}]})
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert "<dt>late</dt><dd>yes</dd>" in shown
    assert "<dt>contacts</dt><dd><div><dl" in shown
    assert json_rows({}) == "–"


# ----------------------------------------------------------------------- values, not only headings


def _codes(texts: list[str]) -> list[str]:
    """The texts that are raw codes ("submit", "merchant_agent", "complaint_filed"), not labels: a code
    belongs in a link's query string, for the filter, never in what the reader sees."""
    return [text for text in texts if re.fullmatch(r"[a-z_]+", text)]


def _cells(page: str, column: str) -> list[str]:
    """The texts of a changelist's column (`field-<column>` cells), tags stripped."""
    found = re.findall(rf'<t[dh] class="field-{column}[^"]*"[^>]*>(.*?)</t[dh]>', page, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in found]


def _filter_choices(page: str, parameter: str) -> list[str]:
    """The choices a changelist's filter on `parameter` offers, as the reader sees them."""
    return re.findall(rf'<a href="\?{parameter}=[^"]+"[^>]*>([^<]+)</a>', page)


@pytest.fixture
def a_question_asked(people):
    """A complaint filed, answered and asked about: events by the consumer, the shop and the system."""
    with time_machine.travel(FILED, tick=False):
        complaint = factories.complaint(people.alice, people.acme)
        services.perform(complaint.pk, people.bob, "respond", "We are looking into it.")
        services.perform(complaint.pk, people.bob, "request_info", "Which colour was it?")
    return complaint


@pytest.mark.django_db
def test_the_chinese_events_list_names_actions_roles_and_states(root, a_question_asked):
    page = _back_office(root, "zh-hans").get(reverse("admin:complaints_complaintevent_changelist"))
    text = page.content.decode()
    actions, roles = _cells(text, "action_label"), _cells(text, "role_label")
    assert set(actions) == {"投诉已提交", "回应", "请消费者补充信息"}, actions
    assert set(roles) == {"消费者", "商家客服"}, roles
    assert "已回应" in _cells(text, "to_state_label") and "等待消费者补充" in _cells(text, "to_state_label")
    # The filters offer labels too, and still filter by code.
    assert {"投诉已提交", "回应", "请消费者补充信息"} <= set(_filter_choices(text, "action"))
    assert "系统" in _filter_choices(text, "actor_role") and "商家客服" in _filter_choices(text, "actor_role")
    states = _cells(text, "from_state_label") + _cells(text, "to_state_label")
    shown = actions + roles + states + _filter_choices(text, "action") + _filter_choices(text, "actor_role")
    assert _codes(shown) == []
    filtered = _back_office(root, "zh-hans").get(
        reverse("admin:complaints_complaintevent_changelist"), {"action": "respond"}
    )
    assert _cells(filtered.content.decode(), "action_label") == ["回应"]


@pytest.mark.django_db
def test_a_complaints_page_lists_its_events_by_name(root, a_question_asked):
    page = _back_office(root, "zh-hans").get(
        reverse("admin:complaints_complaint_change", args=[a_question_asked.pk])
    )
    text = page.content.decode()
    assert _cells(text, "action_label")[:3] == ["投诉已提交", "回应", "请消费者补充信息"]
    assert "商家客服" in _cells(text, "role_label") and "等待消费者补充" in _cells(text, "to_state_label")


@pytest.mark.django_db
def test_the_chinese_outbox_list_names_its_events(root, a_question_asked):
    page = _back_office(root, "zh-hans").get(reverse("admin:notify_outboxmessage_changelist"))
    text = page.content.decode()
    events = _cells(text, "event_label")
    assert "投诉已提交" in events and len(events) == OutboxMessage.objects.count()
    assert "投诉已提交" in _filter_choices(text, "event")
    assert _codes(events + _filter_choices(text, "event")) == []
    # In English the same rows say it in English.
    english = _cells(
        _back_office(root).get(reverse("admin:notify_outboxmessage_changelist")).content.decode(),
        "event_label",
    )
    assert "Complaint filed" in english and "More information asked for" in english


def test_every_event_the_outbox_is_given_has_a_name():
    """The events the senders compose (complaint_<action>, centre_<letter>, promotion_<decision>) and the
    ones they name outright (read from their source) are all in the outbox list's names."""
    composed = {f"complaint_{action}" for action in [*notices.TO_CONSUMER, *notices.TO_SHOP]}
    composed |= {f"centre_{kind}" for kind in NoticeKind.values}
    composed |= {f"promotion_{decision}" for decision in REVIEWED}
    root_dir = Path(__file__).resolve().parents[2]
    named = set()
    for source in root_dir.glob("*/**/*.py"):
        if "tests" in source.parts or "migrations" in source.parts:
            continue
        code = source.read_text()
        named |= set(re.findall(r'(?:enqueue(?:_for_shop)?|_send)\(\s*"([a-z_]+)"', code))
        named |= set(re.findall(r'_EVENT = "([a-z_]+)"', code))
    assert {"complaint_filed", "deadline_breach", "promotion_filed", "alert", "daily_digest"} <= named
    assert composed | named <= set(EVENT_LABELS), (composed | named) - set(EVENT_LABELS)
