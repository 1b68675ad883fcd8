"""The consumer's rating of how a closed complaint was handled (SPEC §10, issue 13 item 5).

1. When a complaint reaches a terminal state, at the shop or at the centre, the lifecycle calls `invite`: the
   rating window (the `Phase.RATING` deadline row, the rule version's 15 days) starts at the closing instant,
   once, and the consumer is asked to rate. A window is no duty: it is never reminded or breached.
2. Within the window the consumer rates once (`rate`: score 1–5 and a comment) and may change it (`change`);
   after it, nothing changes. Only the complaint's own consumer rates it.
3. A shop's ratings show on its scorecard (`summary`) only from a minimum count on
   (the setting `RATING_MIN_COUNT`), so two unhappy customers do not make a shop's figure.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from complaintdesk.centre import duties
from complaintdesk.centre.models import Rating
from complaintdesk.deadlines.models import Deadline, Phase
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.notify import outbox, render

SCORES = range(1, 6)
COMMENT_MAX = Rating._meta.get_field("comment").max_length
INVITATION = gettext_noop(
    "Your complaint %(ref)s is closed. How was it handled? Rate it from 1 to 5 by %(until)s."
)


class NotTheConsumer(Exception):
    """Someone other than the complaint's consumer tried to rate it (HTTP 403: the page is theirs to see,
    the rating is not theirs to give)."""


def window(complaint) -> Deadline | None:
    """The complaint's rating window, if it was ever opened."""
    return Deadline.objects.filter(complaint=complaint, phase=Phase.RATING).first()


def invite(complaint, at: datetime) -> Deadline | None:
    """Open the rating window at `at` (the closing instant) and ask the consumer to rate, once: a second call
    returns the window already open. None for a complaint without a consumer account (nobody to ask).
    Runs inside the caller's transaction."""
    if complaint.consumer_id is None:
        return None
    opened = window(complaint)
    if opened is not None:
        return opened
    version = _version_of(complaint, at)
    opened = duties.start(Phase.RATING, at, version, complaint=complaint, watched=False)
    if opened is not None and opened.due_at > timezone.now():
        _ask(complaint, opened)
    return opened


def is_open(complaint, at: datetime) -> bool:
    opened = window(complaint)
    return opened is not None and opened.starts_at <= at <= opened.due_at


def rating_of(complaint) -> Rating | None:
    try:
        return complaint.rating
    except ObjectDoesNotExist:
        return None


def rate(complaint, user, *, score, comment: str = "", at: datetime) -> Rating:
    """The consumer's first rating of the complaint. A second one is refused (409): change it instead."""
    score, comment = _checked(complaint, user, score, comment, at)
    try:
        # A savepoint: two first ratings at once meet the one-to-one key, and the loser hears why.
        with transaction.atomic():
            return Rating.objects.create(
                complaint=complaint, score=score, comment=comment, created_at=at, updated_at=at
            )
    except IntegrityError:
        raise Conflict(_("You have already rated this complaint: change your rating instead.")) from None


def change(complaint, user, *, score, comment: str = "", at: datetime) -> Rating:
    """Change the consumer's rating while the window is open."""
    score, comment = _checked(complaint, user, score, comment, at)
    rating = Rating.objects.select_for_update().filter(complaint=complaint).first()
    if rating is None:
        raise Conflict(_("You have not rated this complaint yet."))
    rating.score, rating.comment, rating.updated_at = score, comment, at
    rating.save(update_fields=["score", "comment", "updated_at"])
    return rating


@dataclass(frozen=True)
class Summary:
    count: int
    average: Decimal | None  # None below the minimum count: too few to show

    @property
    def shown(self) -> bool:
        return self.average is not None


def summary(ratings) -> Summary:
    """Average and count of `ratings` (a queryset of Rating); the average only from the minimum count."""
    figures = ratings.aggregate(count=Count("id"), average=Avg("score"))
    return summary_of(figures["count"], figures["average"])


def of_shop(merchant_id: int, since: datetime | None = None, until: datetime | None = None) -> Summary:
    return of_shops([merchant_id], since, until)[merchant_id]


def of_shops(
    merchant_ids, since: datetime | None = None, until: datetime | None = None
) -> dict[int, Summary]:
    """Each shop's summary of the ratings given from `since` until before `until` (the scorecards' period), in
    one query for every shop."""
    rows = Rating.objects.filter(complaint__merchant_id__in=merchant_ids)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    if until is not None:
        rows = rows.filter(created_at__lt=until)
    figures = {
        row["complaint__merchant_id"]: row
        for row in rows.values("complaint__merchant_id").annotate(count=Count("id"), average=Avg("score"))
    }
    empty = {"count": 0, "average": None}
    return {
        pk: summary_of(**{k: figures.get(pk, empty)[k] for k in ("count", "average")}) for pk in merchant_ids
    }


def summary_of(count, average) -> Summary:
    """The summary of `count` ratings averaging `average` (the scorecards read both from the rollups)."""
    count = count or 0
    if count < settings.RATING_MIN_COUNT or average is None:
        return Summary(count, None)
    return Summary(count, Decimal(str(average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _checked(complaint, user, score, comment, at) -> tuple[int, str]:
    """Who, when and what: the complaint's consumer, within the window, a score 1–5, a comment that fits."""
    if user is None or complaint.consumer_id != user.pk:
        raise NotTheConsumer(_("Only the consumer who filed the complaint can rate it."))
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        raise FieldError("score", _("Give a score from 1 to 5."))
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise FieldError(
            "comment",
            _("The comment is %(length)d characters long; at most %(limit)d fit.")
            % {"length": len(comment), "limit": COMMENT_MAX},
        )
    opened = window(complaint)
    if opened is None or at < opened.starts_at:
        raise Conflict(_("The complaint is not closed yet: it can be rated once it is."))
    if at > opened.due_at:
        raise Conflict(
            _("The time to rate this complaint ended on %(until)s.")
            % {"until": f"{timezone.localtime(opened.due_at):%Y-%m-%d %H:%M}"}
        )
    return score, comment


def _version_of(complaint, at):
    """The rule version the complaint follows at the centre, or the one in force on the closing day when it
    closed at the shop."""
    try:
        return complaint.centre_case.rule_version
    except ObjectDoesNotExist:
        return duties.version_on(timezone.localdate(at))


def _ask(complaint, opened: Deadline) -> None:
    until = f"{timezone.localtime(opened.due_at):%Y-%m-%d %H:%M}"
    notice = render.notice(INVITATION, {"ref": complaint.reference, "until": until})
    subject, body = render.in_language(notice)
    link = reverse("web:complaint", args=[complaint.pk]) + "#rating"
    payload = {
        "complaint": complaint.pk,
        "reference": complaint.reference,
        "rate_by": opened.due_at.isoformat(),
    }
    outbox.enqueue("complaint_rating_invitation", f"rating:{complaint.pk}", [outbox.user_target(complaint.consumer)],
                   subject, body, payload, link, notice)  # fmt: skip
