"""A shop's obligations towards its customers and the regulator: published customer-service information
(with its history) and the designated 12315 coordinator. Each change is one transaction with its record."""

from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Exists, OuterRef, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaintdesk.accounts.models import MERCHANT_ROLES, Role, User
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.lib.cursor import Key, Order
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.merchants.models import (
    HISTORY_FIELDS,
    SERVICE_INFO_FIELDS,
    CoordinatorDesignation,
    Merchant,
    ServiceInfoRevision,
    validate_phone,
)
from complaintdesk.pledges.models import PledgeSignature
from complaintdesk.pledges.services import current_version

# Any one of these lets a consumer reach customer service; publishing needs at least one.
REACH_FIELDS = ("service_phone", "service_email", "service_chat_url")
# What the shop's deadlines are counted in (deadlines.services.calendar_for).
WORKING_TIME_FIELDS = frozenset({"service_hours", "time_zone"})
WORKING_TIME_CHANGED = gettext_lazy(
    "The new hours apply to complaints received from now on; complaints received before keep their "
    "deadlines, counted in the hours in force when they were received."
)


def may_manage(user, merchant) -> bool:
    """SPEC §1: the regulator, and the shop's coordinator (not its agents), keep the service information."""
    if user.role == Role.REGULATOR:
        return True
    return user.role == Role.MERCHANT_COORDINATOR and user.merchant_id == merchant.pk


def _every_field(issues: list[tuple[str, str]]) -> FieldError:
    """One FieldError naming every bad field (a form shows all its errors at once)."""
    (field, reason), *also = issues
    return FieldError(field, reason, also=tuple(also))


def _invalid(exc: ValidationError) -> FieldError:
    return _every_field([(field, " ".join(messages)) for field, messages in exc.message_dict.items()])


def _clean(merchant: Merchant, fields) -> None:
    try:
        merchant.clean_fields(exclude=[f.name for f in Merchant._meta.fields if f.name not in fields])
    except ValidationError as exc:
        raise _invalid(exc) from None


def record_revision(merchant: Merchant, actor, changed, at=None) -> ServiceInfoRevision:
    """Write the history row of the shop's service information as it is now (inside the caller's
    transaction, after the save). Also used when the regulator changes the hours or the time zone.

    A change of working time applies to complaints received from `at` on, so that a shop cannot move its
    own running deadlines: the shop records when (`working_time_since`), and before its first such change
    its first revision keeps the working time it was created with, so that complaints received earlier go
    on counting in that (`Merchant.working_time_at`). Open deadlines do not move."""
    at = at or timezone.now()
    if WORKING_TIME_FIELDS & set(changed):
        stored = getattr(merchant, "stored_service_info", {})
        if set(stored) == set(HISTORY_FIELDS) and not merchant.service_info_revisions.exists():
            ServiceInfoRevision.objects.create(
                merchant=merchant,
                **stored,
                changed_fields=[],
                changed_by=None,
                changed_at=min(merchant.created_at, at),
            )
        Merchant.objects.filter(pk=merchant.pk).update(working_time_since=at)
        merchant.working_time_since = at
    return ServiceInfoRevision.objects.create(
        merchant=merchant,
        **{field: getattr(merchant, field) for field in HISTORY_FIELDS},
        changed_fields=sorted(changed),
        changed_by=actor,
        changed_at=at,
    )


def apply_changes(merchant: Merchant, changes: dict, refuse_null: str) -> list[str]:
    """Set the fields whose value differs (unsaved) and return their names, so that a repeat of the same
    values changes and records nothing. A None is refused with `refuse_null`, on every field that has one."""
    nulls = [(field, refuse_null) for field, value in changes.items() if value is None]
    if nulls:
        raise _every_field(nulls)
    changed = []
    for field, value in changes.items():
        if getattr(merchant, field) != value:
            setattr(merchant, field, value)
            changed.append(field)
    return changed


def _save_shop(merchant: Merchant) -> Merchant:
    """Validate with the model's own validators, naming every bad field, and save; a credit code that
    another shop has is refused on that field."""
    try:
        merchant.full_clean()
    except ValidationError as exc:
        raise _invalid(exc) from None
    try:
        with transaction.atomic():
            merchant.save()
    except IntegrityError:
        raise FieldError(
            "credit_code", _("a shop with this unified social credit code exists already")
        ) from None
    return merchant


def register_shop(fields: dict) -> Merchant:
    """The regulator registers a shop (the caller checks the role)."""
    return _save_shop(Merchant(**fields))


def change_shop(merchant_id: int, actor, changes: dict) -> Merchant:
    """The regulator's change to a shop's record (the caller checks the role; Merchant.DoesNotExist when
    there is no such shop).

    1. Lock the shop's row as `publish_service_info` does, so that neither overwrites the other's fields.
    2. Apply the changes whose value differs and validate the whole record, naming every bad field.
    3. Save and, when the history's fields (hours, time zone) changed, write the revision row in the same
       transaction. New hours apply to complaints received from now on (`record_revision`).
    """
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update(no_key=True).get(pk=merchant_id)
        changed = apply_changes(merchant, changes, _("may not be null"))
        _save_shop(merchant)
        kept = set(changed) & set(HISTORY_FIELDS)
        if kept:
            record_revision(merchant, actor, kept)
    return merchant


class Publication(NamedTuple):
    merchant: Merchant
    changed: list[str]


def publish_service_info(merchant_id: int, actor, changes: dict, at=None) -> Publication:
    """Publish the shop's customer-service information.

    1. Check the actor may (regulator or the shop's coordinator).
    2. Apply the changes and validate them with the model's own validators, naming every bad field.
    3. Require at least one way to reach customer service (phone, e-mail or chat).
    4. Save, stamp the publication and write the revision row in one transaction; a repeat that changes
       nothing writes nothing. New hours apply to complaints received from now on (`record_revision`).
    """
    unknown = set(changes) - set(SERVICE_INFO_FIELDS)
    if unknown:
        reason = _("is not part of the customer-service information")
        raise _every_field([(field, reason) for field in sorted(unknown)])
    now = at or timezone.now()
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update(no_key=True).get(pk=merchant_id)
        if not may_manage(actor, merchant):
            raise ActionForbidden(
                _("only the shop's 12315 coordinator or the regulator publishes service info")
            )
        changed = apply_changes(merchant, changes, _("may not be null; send an empty string to remove it"))
        _clean(merchant, SERVICE_INFO_FIELDS)
        if not any(getattr(merchant, field) for field in REACH_FIELDS):
            raise FieldError(
                "service_phone",
                _("publish at least one way to reach customer service: phone, e-mail or chat"),
            )
        if not changed and merchant.service_info_published_at is not None:
            return Publication(merchant, [])
        merchant.service_info_published_at = now
        merchant.save(update_fields=[*changed, "service_info_published_at"])
        record_revision(merchant, actor, changed, at=now)
    return Publication(merchant, changed)


def current_coordinator(merchant) -> CoordinatorDesignation | None:
    return (
        CoordinatorDesignation.objects.select_related("user")
        .filter(merchant=merchant, ended_at__isnull=True)
        .first()
    )


def designate_coordinator(merchant_id: int, actor, user_id: int, direct_phone: str) -> CoordinatorDesignation:
    """Make `user_id` the shop's one 12315 coordinator, reachable at `direct_phone`.

    1. The regulator or the shop's coordinator (handing over) may designate; agents may not.
    2. The new coordinator must be active staff of this very shop; another shop's user is "unknown".
    3. Under the shop's row lock: end the current designation, start the new one, and give the roles the
       same meaning (SPEC §1: the coordinator role is the designated person), so the new coordinator holds
       the coordinator role and any other coordinator of the shop becomes an agent.
    Designating the current coordinator again with the same phone changes nothing.
    """
    try:
        validate_phone(direct_phone)
    except ValidationError as exc:
        raise FieldError("direct_phone", " ".join(exc.messages)) from None
    now = timezone.now()
    try:
        with transaction.atomic():
            merchant = Merchant.objects.select_for_update(no_key=True).get(pk=merchant_id)
            if not may_manage(actor, merchant):
                raise ActionForbidden(_("only the shop's 12315 coordinator or the regulator designates one"))
            user = User.objects.filter(
                pk=user_id, merchant=merchant, role__in=MERCHANT_ROLES, is_active=True
            ).first()
            if user is None:
                raise FieldError(
                    "user", _("no active staff member %(user)s in this shop") % {"user": user_id}
                )
            current = current_coordinator(merchant)
            if current and current.user_id == user.pk and current.direct_phone == direct_phone:
                return current
            if current:
                CoordinatorDesignation.objects.filter(pk=current.pk).update(ended_at=now)
            designation = CoordinatorDesignation.objects.create(
                merchant=merchant, user=user, direct_phone=direct_phone, designated_by=actor, started_at=now
            )
            # Saved one by one, not updated in bulk: User.save ends the API tokens of a user whose role
            # changes, and a handed-over coordinator's or a new one's token must not outlive the change.
            former = User.objects.filter(merchant=merchant, role=Role.MERCHANT_COORDINATOR).exclude(
                pk=user.pk
            )
            for other in former:
                other.role = Role.MERCHANT_AGENT
                other.save(update_fields=["role"])
            if user.role != Role.MERCHANT_COORDINATOR:
                user.role = Role.MERCHANT_COORDINATOR
                user.save(update_fields=["role"])
    except IntegrityError:
        # Another designation of this shop committed between our lock and insert (only without the lock,
        # e.g. the admin); the constraint kept the shop at one coordinator.
        raise Conflict(_("the shop's coordinator changed meanwhile; reload and try again")) from None
    return designation


def coordinator_history(merchant) -> QuerySet[CoordinatorDesignation]:
    return CoordinatorDesignation.objects.filter(merchant=merchant).select_related("user", "designated_by")


def service_info_history(merchant) -> QuerySet[ServiceInfoRevision]:
    return ServiceInfoRevision.objects.filter(merchant=merchant).select_related("changed_by")


# The order of every list of shops (the directory, the scorecards), paged by its keys (`lib.cursor`): a page
# reads the `merchant_by_name` index from where the last one ended, whatever the number of shops.
BY_NAME = Order("shops", (Key("name"), Key("id")))


def directory(query: str = "") -> QuerySet[Merchant]:
    """The public directory: active shops with their published contacts and whether they signed the current
    pledge. No personal data: the coordinator and the signer stay out of it. Read it a page at a time, in
    `BY_NAME` order."""
    shops = Merchant.objects.filter(is_active=True)
    if query:
        shops = shops.filter(name__icontains=query[:100])
    version = current_version()
    if version is None:
        return shops.annotate(pledge_signed=Value(False, output_field=BooleanField()))
    return shops.annotate(
        pledge_signed=Exists(PledgeSignature.objects.filter(merchant=OuterRef("pk"), version=version))
    )
