"""The centre's letters (SPEC §10, issue 13 item 4): each decision writes one `Notice` per party it concerns,
in that party's language, kept as issued, sent through the outbox and printable from its page.

Who gets a letter:
- acceptance, agreement, termination: the consumer and the shop;
- refusal (not accepted): the consumer only. The shop was never a party to a case the centre did not open,
  and the ground may be about the consumer (details missing, out of time); the shop learns that the
  complaint is closed from the complaint's own notices (`complaints.notices`), not from this letter;
- report decision: the reporter, if the centre can reach them (`Matter.reachable`), never the shop;
- enquiry answer: the enquirer, if reachable.

Languages: a consumer's letter is in their notice language (`User.language`, else the site's, as every
notice); a caller without an account, whom the hotline or the counter served, gets Chinese; a shop's letter is
in Chinese and English, one after the other (it goes to every channel of the shop, which belong to nobody in
particular); a reporter's or enquirer's in the language they wrote in (`Matter.language`).

A letter names the bureau, the reference, the date, the decision, its legal basis (the ground with the article
of the rule version the matter follows, and the rule's citation) and what the reader can do next. Its words
are written once, when issued: a letter is not re-worded when the catalogue or the rules change later.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import MERCHANT_ROLES, Role
from complaintdesk.centre import duties
from complaintdesk.centre.grounds import RefusalGround, TerminationGround
from complaintdesk.centre.jurisdiction import in_bureau, officer_bureau
from complaintdesk.centre.models import (
    Bureau,
    MatterKind,
    MatterState,
    Notice,
    NoticeKind,
    Recipient,
    RuleVersion,
)
from complaintdesk.deadlines.models import Phase, PolicyRule
from complaintdesk.lib.errors import FieldError
from complaintdesk.notify import outbox, render
from complaintdesk.notify.models import ChannelKind

CHINESE, ENGLISH = "zh-hans", "en"
# A shop's letter is in both languages: it reaches the shop's staff and channels, not one reader.
BILINGUAL = f"{CHINESE},{ENGLISH}"
# Demo data and back-office records of long-ago decisions are written with past times: their letters are
# kept, but nobody is sent them (the same rule as `complaints.notices.is_history`).
HISTORY = timedelta(hours=1)

COMPLAINT_KINDS = {NoticeKind.ACCEPTANCE, NoticeKind.REFUSAL, NoticeKind.AGREEMENT, NoticeKind.TERMINATION}
MATTER_KINDS = {NoticeKind.REPORT_DECISION: MatterKind.REPORT, NoticeKind.ENQUIRY_ANSWER: MatterKind.ENQUIRY}
GROUNDS = {NoticeKind.REFUSAL: RefusalGround, NoticeKind.TERMINATION: TerminationGround}
# The rule whose citation is the letter's legal basis, by kind. Not an agreement's: the mediation rule's
# citation is its time-out ground, art. 21(5); an agreement cites the version's `agreement_article`.
PHASE_OF = {
    NoticeKind.ACCEPTANCE: Phase.ACCEPTANCE,
    NoticeKind.REFUSAL: Phase.ACCEPTANCE,
    NoticeKind.TERMINATION: Phase.TERMINATION_NOTICE,
    NoticeKind.REPORT_DECISION: Phase.REPORT_DECISION,
    NoticeKind.ENQUIRY_ANSWER: Phase.ENQUIRY_ANSWER,
}


def issue(kind: str, *, complaint=None, matter=None, ground: int | None = None, reason: str = "", by=None,
          at: datetime) -> list[Notice]:  # fmt: skip
    """Write the decision's letters, one per party concerned, and queue each for sending. Must run inside
    the caller's transaction (the decision's).

    `ground`: the art. 15 (refusal) or art. 21 (termination) ground; without one, the case's stored ground
    (an officer sending the notice of the worker's automatic termination). `reason`: the officer's words,
    quoted as written. Issuing the same kind again for the same complaint or matter writes nothing new and
    returns the letters already issued: a decision has one set of letters.
    """
    kind = _known_kind(kind)
    if (complaint is None) == (matter is None):
        raise ValueError("a letter is about one complaint or one matter")
    owner = {"complaint": complaint} if complaint is not None else {"matter": matter}
    already = list(Notice.objects.filter(kind=kind, **owner).order_by("id"))
    if already:
        return already
    if complaint is not None:
        letter = _ComplaintLetter(kind, complaint, ground, reason, at)
    else:
        letter = _MatterLetter(kind, matter, reason, at)
    notices = []
    for recipient, language in letter.recipients():
        notice = Notice.objects.create(
            kind=kind, **owner, recipient=recipient, bureau=letter.bureau, language=language,
            title=letter.title(language)[:200], body=letter.body(recipient, language), ground=letter.ground,
            legal_basis=letter.legal_basis()[:300], issued_at=at, issued_by=by,
        )  # fmt: skip
        if not is_history(at):
            _send(notice, letter)
        notices.append(notice)
    return notices


def is_history(when: datetime) -> bool:
    return when < timezone.now() - HISTORY


def link(notice: Notice) -> str:
    return reverse("web:letter", args=[notice.pk])


def visible_letters(user) -> QuerySet[Notice]:
    """The letters a user may read: an officer every one of its bureau's (SPEC §11); a consumer the letters to them about their own
    complaints and matters; a shop's staff the letters to the shop about its complaints. Any other letter
    does not exist for them (404), as another tenant's complaint."""
    base = Notice.objects.select_related("bureau", "complaint", "matter")
    if user.role == Role.REGULATOR:
        bureau = officer_bureau(user)
        if bureau is None:
            return base
        # A district officer reads the letters of its bureau's complaints and matters (another bureau's
        # letters do not exist for it, as that bureau's matters do not).
        return base.filter(in_bureau(bureau, "complaint__") | Q(matter__bureau_id=bureau))
    if user.role in MERCHANT_ROLES and user.merchant_id:
        return base.filter(recipient=Recipient.SHOP, complaint__merchant_id=user.merchant_id)
    if user.role == Role.CONSUMER:
        return base.filter(
            Q(recipient=Recipient.CONSUMER, complaint__consumer=user)
            | Q(recipient__in=[Recipient.REPORTER, Recipient.ENQUIRER], matter__user=user)
        )
    return base.none()


def letters_of(user, *, complaint=None, matter=None) -> QuerySet[Notice]:
    """A complaint's or a matter's letters that `user` may read, oldest first (for the matter's page)."""
    owner = {"complaint": complaint} if complaint is not None else {"matter": matter}
    return visible_letters(user).filter(**owner).order_by("issued_at", "id")


def with_letters(matters: QuerySet, user) -> QuerySet:
    """`matters` with the letters `user` may read of each (`letters_of`, oldest first) as `readable_letters`:
    one query for a page of them, not one per matter."""
    readable = visible_letters(user).order_by("issued_at", "id")
    return matters.prefetch_related(Prefetch("notices", queryset=readable, to_attr="readable_letters"))


def _known_kind(kind) -> NoticeKind:
    try:
        return NoticeKind(kind)
    except ValueError:
        raise FieldError("kind", _("Unknown kind of notice: %(kind)s.") % {"kind": kind}) from None


def _ground_of(kind, ground) -> int | None:
    """The ground, checked against the kind's list: required for a refusal or a termination."""
    choices = GROUNDS.get(kind)
    if choices is None:
        return None
    if ground is None:
        raise FieldError("ground", _("Choose the legal ground of the decision."))
    if ground not in choices.values:
        raise FieldError(
            "ground",
            _("Unknown ground %(ground)s: choose one of %(choices)s.")
            % {"ground": ground, "choices": ", ".join(str(v) for v in choices.values)},
        )
    return int(ground)


def _citation(version: RuleVersion, phase: str) -> str:
    row = PolicyRule.objects.filter(version=version, phase=phase).order_by("priority", "id").first()
    return row.citation if row is not None else ""


def _date(at: datetime) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d}"


def _when(at: datetime) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}"


class _Letter:
    """What every letter has: the bureau, the rule version, the reference, the date; `lines` per kind."""

    kind: str
    bureau: Bureau
    version: RuleVersion
    reference: str
    ground: int | None = None
    reason: str = ""
    at: datetime

    def title(self, language: str) -> str:
        return " / ".join(
            self._in(lang, lambda: str(NoticeKind(self.kind).label)) for lang in _split(language)
        )

    def body(self, recipient: str, language: str) -> str:
        parts = [self._in(lang, lambda: self._text(recipient)) for lang in _split(language)]
        return "\n\n————————\n\n".join(parts)

    def legal_basis(self) -> str:
        """The ground with its article of the version (art. 15(5)), then the rule's citation. An agreement:
        the version's article on agreements, or its law when that article was not entered."""
        if self.kind == NoticeKind.AGREEMENT:
            article = self.version.agreement_article.strip()
            if article:
                return f"{self.version.name}, {article}"
            return f"{self.version.name}; {self.version.law}"
        parts = [self.version.name]
        if self.ground is not None:
            article = (
                self.version.refusal_article
                if self.kind == NoticeKind.REFUSAL
                else self.version.termination_article
            )
            parts[0] = f"{self.version.name}, {article}({self.ground})"
        citation = _citation(self.version, PHASE_OF[self.kind])
        if citation:
            parts.append(citation)
        return "; ".join(parts)

    @staticmethod
    def _in(language: str, words) -> str:
        with translation.override(language):
            return words()

    def _text(self, recipient: str) -> str:
        paragraphs = [
            _("To: %(name)s") % {"name": self.addressee(recipient)},
            _("Reference: %(ref)s") % {"ref": self.reference},
            _("Date: %(date)s") % {"date": _date(self.at)},
            *self.decision(recipient),
        ]
        if self.ground is not None:
            paragraphs.append(_("Ground: %(ground)s") % {"ground": GROUNDS[self.kind](self.ground).label})
        paragraphs += self.quoted()
        paragraphs.append(_("Legal basis: %(basis)s") % {"basis": self.legal_basis()})
        next_steps = self.next_steps(recipient)
        if next_steps:
            heading = (
                _("What the shop is asked to do: %(steps)s")
                if recipient == Recipient.SHOP
                else _("What you can do next: %(steps)s")
            )
            paragraphs.append(heading % {"steps": " ".join(next_steps)})
        paragraphs.append(self._signature())
        return "\n\n".join(str(p) for p in paragraphs)

    def _signature(self) -> str:
        language = translation.get_language() or ENGLISH
        lines = [self.bureau.name_in(language)]
        if self.bureau.phone:
            lines.append(_("Telephone: %(phone)s") % {"phone": self.bureau.phone})
        lines.append(_date(self.at))
        return "\n".join(lines)

    def quoted(self) -> list[str]:
        """The officer's own words, as written."""
        return [_("The centre's reasons: %(reason)s") % {"reason": self.reason}] if self.reason else []

    def addressee(self, recipient: str) -> str:
        raise NotImplementedError

    def decision(self, recipient: str) -> list[str]:
        raise NotImplementedError

    def next_steps(self, recipient: str) -> list[str]:
        return []


def _split(language: str) -> list[str]:
    return language.split(",")


class _ComplaintLetter(_Letter):
    def __init__(self, kind, complaint, ground, reason, at):
        if kind not in COMPLAINT_KINDS:
            raise FieldError("kind", _("A %(kind)s is not about a complaint.") % {"kind": kind})
        self.kind, self.complaint, self.reason, self.at = kind, complaint, reason.strip(), at
        self.case = _case_of(complaint)
        self.bureau = self.case.bureau if self.case else Bureau.city_centre()
        self.version = self.case.rule_version if self.case else duties.version_on(timezone.localdate(at))
        if ground is None and self.case is not None:
            ground = self.case.refusal_ground if kind == NoticeKind.REFUSAL else self.case.termination_ground
        self.ground = _ground_of(kind, ground)
        self.reference = complaint.reference
        self.shop = complaint.merchant.name

    def recipients(self) -> list[tuple[str, str]]:
        consumer = self.complaint.consumer
        language = render.language_of(consumer) if consumer is not None else CHINESE
        found = [(Recipient.CONSUMER, language)]
        if self.kind != NoticeKind.REFUSAL:
            found.append((Recipient.SHOP, BILINGUAL))
        return found

    def addressee(self, recipient):
        if recipient == Recipient.SHOP:
            return self.shop
        consumer = self.complaint.consumer
        if consumer is not None:
            return consumer.get_full_name() or consumer.username
        return self.complaint.consumer_name or _("the consumer")

    def decision(self, recipient):
        values = {"ref": self.reference, "shop": self.shop, "date": _date(self.at)}
        to_consumer = recipient == Recipient.CONSUMER
        if self.kind == NoticeKind.ACCEPTANCE:
            first = (
                _(
                    "The centre has accepted your complaint %(ref)s against %(shop)s and will mediate between you."
                )
                if to_consumer
                else _(
                    "The centre has accepted complaint %(ref)s of a consumer against %(shop)s and will mediate."
                )
            )
            mediation = duties.due(self.version, Phase.MEDIATION, self.at, self.bureau)
            if mediation is None:
                return [first % values]
            return [
                first % values,
                _(
                    "If no agreement is reached, mediation ends on %(due)s. Time spent on testing, inspection "
                    "or appraisal is not counted."
                )
                % {"due": _when(mediation.due_at)},
            ]
        if self.kind == NoticeKind.REFUSAL:
            return [
                _("The centre has decided not to accept your complaint %(ref)s against %(shop)s.") % values
            ]
        if self.kind == NoticeKind.AGREEMENT:
            found = [_("Mediation of complaint %(ref)s ended in an agreement between the consumer and %(shop)s.")
                     % values]  # fmt: skip
            terms = (self.case.agreement_terms if self.case else "") or ""
            if terms:
                found.append(_("Terms of the agreement: %(terms)s") % {"terms": terms})
            amount = self.case.amount_recovered if self.case else None
            if amount is not None:
                found.append(
                    _("Money recovered for the consumer: %(amount)s yuan") % {"amount": f"{amount:.2f}"}
                )
            return found
        decided = self.case.ended_at if self.case and self.case.ended_at else self.at
        return [
            _("Mediation of complaint %(ref)s between the consumer and %(shop)s ended without agreement on "
              "%(date)s.") % {**values, "date": _date(decided)}
        ]  # fmt: skip

    def next_steps(self, recipient):
        if recipient == Recipient.SHOP:
            return {
                NoticeKind.ACCEPTANCE: [
                    _(
                        "Take part in the mediation and answer the centre on the complaint's page. A party that "
                        "refuses to take part without good reason ends the mediation."
                    )
                ],  # fmt: skip
                NoticeKind.AGREEMENT: [_("Carry out the terms of the agreement as agreed.")],
            }.get(self.kind, [])
        if self.kind == NoticeKind.ACCEPTANCE:
            return [
                _("Follow the mediation on your complaint's page and answer the centre's questions there.")
            ]
        if self.kind == NoticeKind.AGREEMENT:
            return [
                _("If the shop does not carry out the agreement, you may apply for arbitration under an "
                  "arbitration agreement with the shop, or bring an action in a people's court.")
            ]  # fmt: skip
        steps = []
        if self.kind == NoticeKind.REFUSAL and self.ground == RefusalGround.DETAILS_MISSING:
            steps.append(_("You may complain again with the missing details."))
        if self.kind == NoticeKind.REFUSAL and self.ground == RefusalGround.NOT_OURS:
            steps.append(_("You may take the matter to the authority or bureau that is competent for it."))
        steps.append(
            _("You may settle with the shop yourself, ask a people's mediation committee or another mediation "
              "body, apply for arbitration under an arbitration agreement with the shop, or bring an action in a "
              "people's court (Consumer Rights Protection Law art. 39).")
        )  # fmt: skip
        return steps

    def notify(self, notice: Notice, subject: str, body: str, payload: dict) -> None:
        event, key = f"centre_{notice.kind}", f"centre_notice:{notice.pk}"
        if notice.recipient == Recipient.SHOP:
            outbox.enqueue_for_shop(
                event, key, self.complaint.merchant_id, subject, body, payload, link(notice)
            )
        elif self.complaint.consumer is not None:
            targets = [outbox.user_target(self.complaint.consumer)]
            outbox.enqueue(event, key, targets, subject, body, payload, link(notice))

    def payload(self) -> dict:
        return {"complaint": self.complaint.pk, "reference": self.reference}


class _MatterLetter(_Letter):
    def __init__(self, kind, matter, reason, at):
        if MATTER_KINDS.get(kind) != matter.kind:
            raise FieldError("kind", _("A %(kind)s is not about this matter.") % {"kind": kind})
        self.kind, self.matter, self.reason, self.at = kind, matter, (reason or matter.reason).strip(), at
        self.bureau, self.version, self.reference = matter.bureau, matter.rule_version, matter.reference

    def recipients(self):
        if not self.matter.reachable:
            return []
        who = Recipient.REPORTER if self.matter.kind == MatterKind.REPORT else Recipient.ENQUIRER
        return [(who, self.matter.language or CHINESE)]

    def addressee(self, recipient):
        user = self.matter.user
        if self.matter.contact_name:
            return self.matter.contact_name
        if user is not None:
            return user.get_full_name() or user.username
        return _("the reporter") if recipient == Recipient.REPORTER else _("the enquirer")

    def decision(self, recipient):
        values = {"ref": self.reference, "about": self._about()}
        if self.kind == NoticeKind.ENQUIRY_ANSWER:
            return [_("The centre answers your enquiry %(ref)s.") % values]
        if self.matter.state == MatterState.CASE_OPENED:
            return [
                _("The centre has decided to open a case on your report %(ref)s about %(about)s.") % values
            ]
        return [
            _("The centre has decided not to open a case on your report %(ref)s about %(about)s.") % values
        ]

    def next_steps(self, recipient):
        if self.kind == NoticeKind.ENQUIRY_ANSWER:
            return [_("If you have a dispute with a shop, you may file a complaint with the centre.")]
        if self.matter.state == MatterState.CASE_OPENED:
            return [_("The centre does not publish the investigation while it runs; the result is public once "
                      "decided.")]  # fmt: skip
        return [_("If you learn new facts, you may report again.")]

    def _about(self) -> str:
        return self.matter.merchant.name if self.matter.merchant_id else self.matter.web_address

    def quoted(self):
        # An enquiry's answer is the letter's point: quoted as the answer, not as the reasons of a decision.
        if self.kind == NoticeKind.ENQUIRY_ANSWER:
            return [_("Answer: %(answer)s") % {"answer": self.reason}] if self.reason else []
        return super().quoted()

    def notify(self, notice, subject, body, payload):
        event, key = f"centre_{notice.kind}", f"centre_notice:{notice.pk}"
        if self.matter.user is not None:
            targets = [outbox.user_target(self.matter.user)]
        elif self.matter.contact_email:
            targets = [(ChannelKind.EMAIL, self.matter.contact_email, None)]
        else:
            return  # reachable by phone only: the officer calls or posts the printed letter
        outbox.enqueue(event, key, targets, subject, body, payload, link(notice))

    def payload(self):
        return {"matter": self.matter.pk, "reference": self.reference}


def _case_of(complaint):
    try:
        return complaint.centre_case
    except ObjectDoesNotExist:
        return None


def _send(notice: Notice, letter: _Letter) -> None:
    payload = {**letter.payload(), "notice": notice.pk, "kind": notice.kind, "recipient": notice.recipient}
    letter.notify(notice, notice.title, notice.body, payload)
