"""The centre's rule versions in the back office (issue 13 item 1): entered with one rule per duty, each with
its citation; effective dates unique, and never such that a day on which matters were already received
under one version would belong to another (it would silently move their running duties); a version in use
keeps its figures and is not deleted. The other records of the centre read in the back office, in the
regulator's zone."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from complaintdesk.centre import duties, matters, versions
from complaintdesk.centre.matters import Filing
from complaintdesk.centre.models import Bureau, CentreCase, Matter, MatterKind, RuleVersion
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import PolicyRule

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db
DEFAULT = date(2020, 1, 1)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def received(when: datetime) -> Matter:
    with time_machine.travel(when, tick=False):
        return matters.file(
            None, Filing(MatterKind.REPORT, "Fakes.", web_address="fake.example.com", anonymous=True)
        )


def default() -> RuleVersion:
    return RuleVersion.objects.get(effective_from=DEFAULT)


def version(effective_from: date, name: str = "") -> RuleVersion:
    return RuleVersion.objects.create(name=name or f"Version of {effective_from}", effective_from=effective_from,
                                      law="SAMR Order No. 121")  # fmt: skip


def refusal(candidate: RuleVersion, day: date) -> str:
    with pytest.raises(ValidationError) as caught:
        versions.check_effective_date(candidate, day)
    (message,) = caught.value.message_dict["effective_from"]
    return message


# ----------------------------------------------------------------------------------------------- the rule


def test_each_day_has_one_version():
    message = refusal(RuleVersion(name="Twin"), DEFAULT)
    assert "takes effect on 2020-01-01 already" in message


def test_a_new_version_may_not_take_effect_on_or_before_the_last_day_with_matters_under_the_one_it_replaces():
    received(at("2026-10-09 23:30"))  # 15:30 UTC: the 9th in Shanghai, the day that counts
    new = RuleVersion(name="SAMR Order No. 121 (2026)")
    for day in (date(2026, 10, 9), date(2026, 4, 15)):
        message = refusal(new, day)
        assert "Matters received up to 2026-10-09 already follow “SAMR Order No. 20" in message
        assert "choose a day after 2026-10-09 (the earliest is 2026-10-10)" in message
    versions.check_effective_date(new, date(2026, 10, 10))  # from the next day on: nothing moves


def test_the_centres_cases_count_as_received_matters_too(people):
    complaint = factories.complaint(people.alice, people.acme, "escalated")
    CentreCase.objects.create(
        complaint=complaint, bureau=Bureau.city_centre(), rule_version=default(), via="escalation",
        received_at=datetime(2026, 11, 1, 16, 30, tzinfo=UTC),  # already 2 November in Shanghai
    )  # fmt: skip
    assert "up to 2026-11-02" in refusal(RuleVersion(name="New"), date(2026, 11, 2))
    versions.check_effective_date(RuleVersion(name="New"), date(2026, 11, 3))
    assert versions.in_use(default()) == 1


def test_a_version_may_not_move_away_from_the_days_of_its_own_matters():
    later = version(date(2026, 12, 1))
    received(at("2026-12-03 10:00"))
    assert Matter.objects.get().rule_version == later
    message = refusal(later, date(2026, 12, 4))
    assert "already governs matters received from 2026-12-03 on" in message
    versions.check_effective_date(later, date(2026, 12, 3))
    versions.check_effective_date(later, date(2026, 11, 20))  # earlier: the default has no matters then


def test_a_version_may_not_move_in_front_of_another_that_would_take_its_days():
    later = version(date(2026, 12, 1), "Later")
    received(at("2026-12-03 10:00"))
    version(date(2026, 11, 15), "Between")
    message = refusal(later, date(2026, 11, 1))
    assert "it would come before “Between” (in force from 2026-11-15)" in message


def test_a_version_in_use_or_the_only_one_in_force_stays():
    assert "only version in force today" in versions.check_deletion(default(), today=date(2026, 10, 1))
    future = version(date(2027, 1, 1))
    assert versions.check_deletion(future, today=date(2026, 10, 1)) is None
    received(at("2026-10-09 10:00"))
    assert "1 matters follow" in versions.check_deletion(default(), today=date(2026, 10, 1))


def test_every_duty_needs_a_rule():
    assert versions.missing_phases(versions.REQUIRED_PHASES) == []
    assert versions.missing_phases(["acceptance", "mediation"]) == [
        "Notice of termination", "Decision on a report", "Answer to an enquiry", "Rating window",
    ]  # fmt: skip


# ----------------------------------------------------------------------------------------- back office


def officer(people) -> Client:
    client = Client()
    client.force_login(people.rita)
    return client


def rules_post(rules: list[dict], prefix: str = "rules", initial: int = 0) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rules)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}  # fmt: skip
    for i, rule in enumerate(rules):
        for key, value in rule.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def order_121_rules(**changes) -> list[dict]:
    figures = {
        "acceptance": 7,
        "mediation": 60,
        "termination_notice": 7,
        "report_decision": 15,
        "enquiry_answer": 7,
    }
    rules = [
        {"phase": phase, "clock": "working_days", "days": str(days), "duration": "",
         "label": f"{phase} within {days} working days", "citation": "SAMR Order No. 121"}
        for phase, days in figures.items()
    ]  # fmt: skip
    rules.append({"phase": "rating", "clock": "wall", "days": "", "duration": "15 00:00:00",
                  "label": "Rate within 15 days", "citation": "Centre service standard"})  # fmt: skip
    return [{**r, **changes.get(r["phase"], {})} for r in rules]


def version_post(effective_from: str, rules: list[dict]) -> dict:
    return {
        "name": "SAMR Order No. 121 (2026)", "effective_from": effective_from,
        "law": "SAMR Order No. 121 (市场监督管理投诉举报处理办法)", "refusal_article": "art. 15",
        "termination_article": "art. 21", "note": "The law took effect on 2026-04-15.", **rules_post(rules),
    }  # fmt: skip


def test_an_officer_enters_a_new_version_with_its_rules_starting_from_the_figures_in_force(people):
    client = officer(people)
    with time_machine.travel(at("2026-10-09 10:00"), tick=False):
        add = client.get(reverse("admin:centre_ruleversion_add")).content.decode()
        # One row per duty, with today's figures to start from.
        assert 'name="rules-TOTAL_FORMS" value="6"' in add
        assert '<option value="acceptance" selected>' in add and 'name="rules-1-days" value="45"' in add
        response = client.post(
            reverse("admin:centre_ruleversion_add"), version_post("2026-10-10", order_121_rules())
        )
    assert response.status_code == 302, response.content.decode()[-3000:]
    new = RuleVersion.objects.get(name="SAMR Order No. 121 (2026)")
    assert new.rules.count() == 6 and new.rules.get(phase="mediation").days == 60
    # A matter received from its day on follows it, with its figures.
    case_day = received(at("2026-10-12 10:00"))
    assert case_day.rule_version == new
    assert (
        duties.due(new, "mediation", at("2026-10-15 10:00")).due_at
        > duties.due(default(), "mediation", at("2026-10-15 10:00")).due_at
    )


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (order_121_rules()[:5], "complete the rule for: Rating window"),
        (order_121_rules()[:5] + [{**order_121_rules()[0]}], "given twice: Decision to accept"),
        (order_121_rules(mediation={"citation": ""}), "This field is required."),
        (order_121_rules(mediation={"days": ""}), "A working-days rule needs a number of days."),
    ],
)
def test_a_version_without_every_duty_or_citation_is_refused(people, rules, message):
    response = officer(people).post(
        reverse("admin:centre_ruleversion_add"), version_post("2027-01-01", rules)
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert RuleVersion.objects.count() == 1 and PolicyRule.objects.filter(version__isnull=False).count() == 6


def test_an_overlapping_effective_date_is_refused_with_the_reason_at_the_field(people):
    received(at("2026-10-09 10:00"))
    client = officer(people)
    with time_machine.travel(at("2026-10-09 12:00"), tick=False):
        response = client.post(
            reverse("admin:centre_ruleversion_add"), version_post("2026-04-15", order_121_rules())
        )
    text = response.content.decode()
    assert response.status_code == 200 and "the earliest is 2026-10-10" in text
    assert 'class="errorlist' in text and "effective_from" in text
    assert RuleVersion.objects.count() == 1
    taken = client.post(
        reverse("admin:centre_ruleversion_add"), version_post("2020-01-01", order_121_rules())
    )
    assert "takes effect on 2020-01-01 already" in taken.content.decode() and RuleVersion.objects.count() == 1


def test_a_version_in_use_keeps_its_figures_but_its_wording_may_be_corrected(people):
    received(at("2026-10-09 10:00"))
    client = officer(people)
    url = reverse("admin:centre_ruleversion_change", args=[default().pk])
    page = client.get(url).content.decode()
    assert "1 matter follows this version" in page
    assert 'name="rules-0-days"' not in page and 'name="rules-0-citation"' in page
    rules = list(default().rules.order_by("id"))
    data = {
        "name": default().name, "effective_from": "2020-01-01", "law": default().law,
        "refusal_article": "art. 15", "termination_article": "art. 21", "note": "",
        **rules_post([{"id": str(r.pk), "version": str(default().pk), "label": r.label,
                       "citation": r.citation + " (checked)", "days": "99"} for r in rules], initial=len(rules)),
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert all(r.citation.endswith("(checked)") for r in default().rules.all())
    assert default().rules.get(phase="mediation").days == 45  # the posted 99 is ignored: read-only


def test_a_version_in_use_or_the_only_one_in_force_is_not_deleted(people):
    client = officer(people)
    url = reverse("admin:centre_ruleversion_delete", args=[default().pk])
    page = client.get(url).content.decode()
    assert "only version in force today" in page
    client.post(url, {"post": "yes"})
    assert RuleVersion.objects.filter(effective_from=DEFAULT).exists()
    future = version(date(2099, 1, 1))
    client.post(reverse("admin:centre_ruleversion_delete", args=[future.pk]), {"post": "yes"})
    assert not RuleVersion.objects.filter(pk=future.pk).exists()


def test_the_centres_records_read_in_the_back_office_in_the_regulators_zone(people):
    matter = received(at("2026-09-24 11:00"))
    with time_machine.travel(at("2026-09-25 09:30"), tick=False):
        matters.decide_report(matter.pk, people.rita, "no_case", "Nothing to investigate.")
    client = officer(people)
    for name in ("matter", "centrecase", "notice", "rating", "followupcall", "bureau", "ruleversion"):
        assert client.get(reverse(f"admin:centre_{name}_changelist")).status_code == 200, name
    page = client.get(reverse("admin:centre_matter_change", args=[matter.pk])).content.decode()
    assert "2026-09-24 11:00" in page or "Sept. 24, 2026, 11 a.m." in page
    assert "Nothing to investigate." in page and 'name="text"' not in page  # read, not edited
    assert client.get(reverse("admin:centre_matter_add")).status_code == 403
