"""The customer-service pledge (SPEC §5): versions published by the regulator, signed by each shop's
designated 12315 coordinator, and commitments that complaints allege were broken."""

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from complaintdesk.accounts.models import MERCHANT_ROLES, Role
from complaintdesk.centre.jurisdiction import officers_complaints
from complaintdesk.complaints.choices import TERMINAL_STATES, EventKind
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.queries import visible_complaints
from complaintdesk.complaints.services import record_event
from complaintdesk.lib.cursor import Key, Order
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.merchants.models import CoordinatorDesignation, Merchant
from complaintdesk.notify import outbox, render
from complaintdesk.pledges.models import Commitment, ComplaintCommitment, PledgeSignature, PledgeVersion

NUMBERS = range(1, 9)
PUBLISHED = gettext_noop(
    "The 12315 centre published version %(number)s of the customer-service pledge (%(title)s): your shop's "
    "12315 coordinator must sign it."
)


def current_version() -> PledgeVersion | None:
    """The newest published version: the one every shop must have signed."""
    return PledgeVersion.objects.filter(published_at__isnull=False).order_by("-number").first()


def _regulator(actor, refusal: str) -> None:
    if actor.role != Role.REGULATOR:
        raise ActionForbidden(refusal)


def create_version(actor, title: str, commitments: list[dict]) -> PledgeVersion:
    """A draft version with its eight commitments, numbered 1–8 once each, in English and Chinese."""
    _regulator(actor, _("only regulator officers write pledge versions"))
    numbers = sorted(c["number"] for c in commitments)
    if numbers != list(NUMBERS):
        raise FieldError(
            "commitments", _("must be numbered 1 to 8, once each; got %(numbers)s") % {"numbers": numbers}
        )
    for c in commitments:
        for lang in ("text_en", "text_zh"):
            if not (c.get(lang) or "").strip():
                raise FieldError(
                    "commitments",
                    _("commitment %(number)s needs %(field)s") % {"number": c["number"], "field": lang},
                )
    try:
        with transaction.atomic():
            _refuse_repeat(title, commitments)
            latest = PledgeVersion.objects.aggregate(n=Max("number"))["n"] or 0
            version = PledgeVersion.objects.create(number=latest + 1, title=title)
            Commitment.objects.bulk_create(
                Commitment(version=version, number=c["number"], text_en=c["text_en"], text_zh=c["text_zh"])
                for c in commitments
            )
    except IntegrityError:
        raise Conflict(_("another version was written at the same time; try again")) from None
    return version


def _refuse_repeat(title: str, commitments: list[dict]) -> None:
    """A version identical to the newest one (its title and every commitment's texts) is refused: saving
    the editor again must not pile up copies."""
    latest = PledgeVersion.objects.order_by("-number").prefetch_related("commitments").first()
    if latest is None:
        return
    texts = {(c.number, c.text_en, c.text_zh) for c in latest.commitments.all()}
    if latest.title == title and texts == {(c["number"], c["text_en"], c["text_zh"]) for c in commitments}:
        raise Conflict(
            _("this is version %(number)s word for word; change a commitment or the title first")
            % {"number": latest.number}
        )


def delete_draft(version_id: int, actor) -> int:
    """Delete a version that was never published, with its commitments; return its number. A published
    version is the record of what shops signed and stays."""
    _regulator(actor, _("only regulator officers delete pledge drafts"))
    with transaction.atomic():
        version = PledgeVersion.objects.select_for_update().get(pk=version_id)
        if version.published_at is not None:
            raise Conflict(
                _("v%(number)s was published on %(date)s and is kept")
                % {"number": version.number, "date": f"{version.published_at:%Y-%m-%d}"}
            )
        number = version.number
        version.delete()
    return number


def publish(version_id: int, actor) -> PledgeVersion:
    """Publish a draft: from now on every shop must sign it, and each shop's coordinator is told so."""
    _regulator(actor, _("only regulator officers publish the pledge"))
    now = timezone.now()
    with transaction.atomic():
        version = PledgeVersion.objects.select_for_update().get(pk=version_id)
        if version.published_at is not None:
            raise Conflict(
                _("v%(number)s was published on %(date)s")
                % {"number": version.number, "date": f"{version.published_at:%Y-%m-%d}"}
            )
        current = current_version()
        if current is not None and current.number > version.number:
            raise Conflict(
                _("v%(number)s is already published; a draft older than it cannot be")
                % {"number": current.number}
            )
        version.published_at, version.published_by = now, actor
        version.save(update_fields=["published_at", "published_by"])
        # Stored untranslated (notify.render): each coordinator reads it in their language, with the link
        # to the page where they sign.
        notice = render.notice(PUBLISHED, {"number": version.number, "title": version.title})
        # The shop page's signing form: the signing URL itself takes only the form's POST.
        link = reverse("web:shop_profile") + "#sign-pledge"
        subject, body = render.in_language(notice)
        for shop in Merchant.objects.filter(is_active=True):
            outbox.enqueue(
                "pledge_published", f"pledge:{version.pk}:shop:{shop.pk}",
                outbox.shop_targets(shop, coordinators_only=True), subject, body,
                {"pledge_version": version.number, "merchant": shop.pk}, link, notice,
            )  # fmt: skip
    return version


def sign(version_id: int, actor, ip_address: str | None) -> PledgeSignature:
    """The shop's designated coordinator signs the current version: who, when, which version, from where."""
    designated = CoordinatorDesignation.objects.filter(
        merchant_id=actor.merchant_id, user=actor, ended_at__isnull=True
    ).exists()
    if actor.merchant_id is None or not designated:
        raise ActionForbidden(_("only the shop's designated 12315 coordinator signs the pledge"))
    try:
        with transaction.atomic():
            version = PledgeVersion.objects.select_for_update().get(pk=version_id)
            current = current_version()
            if version.published_at is None or current is None or current.pk != version.pk:
                if current is None:
                    raise Conflict(_("only the current version can be signed (it is none)"))
                raise Conflict(
                    _("only the current version can be signed (it is v%(number)s)")
                    % {"number": current.number}
                )
            existing = PledgeSignature.objects.filter(version=version, merchant_id=actor.merchant_id).first()
            if existing:
                raise Conflict(
                    _("the shop signed v%(number)s on %(date)s")
                    % {"number": version.number, "date": f"{existing.signed_at:%Y-%m-%d %H:%M}"}
                )
            return PledgeSignature.objects.create(
                version=version,
                merchant_id=actor.merchant_id,
                signed_by=actor,
                signed_at=timezone.now(),
                ip_address=ip_address or None,
            )
    except IntegrityError:
        raise Conflict(_("the shop has signed this version already")) from None


def _check_number(number: int) -> None:
    if number not in NUMBERS:
        raise FieldError("number", _("commitments are numbered 1 to 8, not %(number)s") % {"number": number})


def may_tag(actor, complaint: Complaint) -> bool:
    """Whether `actor` may tag this complaint's commitments now (the web page offers the form on it)."""
    if actor.role == Role.REGULATOR:
        return True
    return (
        actor.role == Role.CONSUMER
        and complaint.consumer_id == actor.pk
        and complaint.state not in TERMINAL_STATES
    )


def _may_tag(actor, complaint: Complaint) -> None:
    """`may_tag`, or the error that says why not."""
    if may_tag(actor, complaint):
        return
    if actor.role == Role.CONSUMER and complaint.consumer_id == actor.pk:  # their own, but finished
        raise Conflict(
            _("the complaint is %(state)s; its commitments can no longer change") % {"state": complaint.state}
        )
    raise ActionForbidden(
        _("only the consumer who filed the complaint and regulator officers tag commitments")
    )


def tag(complaint_id: int, actor, number: int) -> tuple[ComplaintCommitment, bool]:
    """Allege that the shop broke commitment `number`. Returns (tag, created); a repeat adds nothing."""
    _check_number(number)
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint_id)
        _may_tag(actor, complaint)
        existing = ComplaintCommitment.objects.filter(complaint=complaint, number=number).first()
        if existing:
            return existing, False
        created = ComplaintCommitment.objects.create(complaint=complaint, number=number, tagged_by=actor)
        record_event(
            complaint, actor, EventKind.TAG_COMMITMENT, complaint.state, complaint.state,
            f"Alleges commitment {number} of the pledge was broken", data={"commitment": number},
        )  # fmt: skip
    return created, True


def untag(complaint_id: int, actor, number: int) -> None:
    """Withdraw the allegation. A consumer removes only what they tagged; the regulator anything."""
    _check_number(number)
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint_id)
        _may_tag(actor, complaint)
        existing = ComplaintCommitment.objects.filter(complaint=complaint, number=number).first()
        if existing is None:
            raise FieldError(
                "number", _("the complaint is not tagged with commitment %(number)s") % {"number": number}
            )
        if actor.role != Role.REGULATOR and existing.tagged_by_id != actor.pk:
            raise ActionForbidden(_("the regulator tagged this commitment; only the regulator removes it"))
        existing.delete()
        record_event(
            complaint, actor, EventKind.UNTAG_COMMITMENT, complaint.state, complaint.state,
            f"No longer alleges commitment {number}", data={"commitment": number},
        )  # fmt: skip


def tags_seen_by(user) -> Q:
    """The tags of the complaints `user` sees, as a condition on the tags' own copies of their complaint's
    shop and bureau in charge: an officer's (`officers_complaints` with no prefix: the tag's `bureau`; none
    for a city-level officer) and a shop's (the tag's `merchant`) are read from one of the tags' indexes in
    its order, rather than through every complaint the officer or the shop sees (a million, at a national
    centre); a consumer's complaints are few."""
    if user.role == Role.REGULATOR:
        return officers_complaints(user)
    if user.role in MERCHANT_ROLES and user.merchant_id:
        return Q(merchant_id=user.merchant_id)
    return Q(complaint__in=visible_complaints(user))


# The order of a list of tags, by complaint and commitment number (unique together): the tags' own indexes
# (commitment_tag_once; a shop's or a bureau's after its first column) hold it.
BY_COMPLAINT = Order("pledge-tags", (Key("complaint_id"), Key("number")))


def tag_counts(user, start=None, end=None) -> list[dict]:
    """Alleged breaches per shop and commitment that `user` sees (complaints received in [start, end) when
    given), for the statistics: [{merchant, merchant_name, number, count}] by shop name and number.

    Grouped on the tags' copy of their complaint's shop (a tag is one complaint's, once per number, so the
    tags are the complaints) and the period on their copy of its receipt: read from one of the tags' own
    indexes (a period's from commitment_tag_received, its tags alone), without a look-up of each tag's
    complaint; the shops' names for the rows found, afterwards. COUNT(*), not of the ids: PostgreSQL then
    needs only the index's columns."""
    tags = ComplaintCommitment.objects.filter(tags_seen_by(user))
    if start:
        tags = tags.filter(received_at__gte=start)
    if end:
        tags = tags.filter(received_at__lt=end)
    rows = tags.order_by().values_list("merchant_id", "number").annotate(count=Count("*"))
    rows = list(rows)
    names = dict(Merchant.objects.filter(pk__in={m for m, _, _ in rows}).values_list("pk", "name"))
    found = [
        {"merchant": m, "merchant_name": names.get(m, ""), "number": n, "count": count}
        for m, n, count in rows
    ]
    return sorted(found, key=lambda r: (r["merchant_name"], r["number"]))


def follow_bureau(complaints) -> int:
    """After `complaints` (a queryset) may have changed bureau in charge: their tags' copy follows, read
    from the complaints' rows (`centre.jurisdiction.complaints_moved`). How many tags were written."""
    bureau = Complaint.objects.filter(pk=OuterRef("complaint_id")).values("bureau_id")[:1]
    return ComplaintCommitment.objects.filter(complaint__in=complaints).update(bureau_id=Subquery(bureau))
