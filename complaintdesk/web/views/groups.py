"""Group complaints on the web (集体投诉, SPEC §11; issue 14 item 4): the public page anyone reads and a
signed-in consumer joins from with their own order; the officers' console (opening a group from a
mass-incident alert or from complaints picked on the complaints list, the centre's statement, closing); the
shop's workbench, where it answers the group once for every member.

Every rule is `complaints.groups`' (the API calls the same functions); these views read forms and show
pages. The public page shows what `groups.public_view` gives and nothing else: no member, no name, no order.
A group another bureau or another shop handles is 404 on the console and the workbench, as a complaint is.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaintdesk.accounts import ratelimit
from complaintdesk.alerts.models import Alert, AlertKind
from complaintdesk.centre.jurisdiction import in_charge
from complaintdesk.complaints import groups
from complaintdesk.complaints.choices import ResolutionType
from complaintdesk.complaints.models import Complaint, ComplaintGroup, GroupPostSide, GroupState
from complaintdesk.complaints.queries import visible_complaints
from complaintdesk.lib.cursor import Key, Order, Segment
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.web.filters import CursorQuery, reads_query
from complaintdesk.web.forms.common import show_field_errors
from complaintdesk.web.forms.groups import (
    GroupAnswerForm,
    JoinForm,
    OpenGroupForm,
    OpenGroupQuery,
    StatementForm,
)
from complaintdesk.web.paging import list_page, segments_page
from complaintdesk.web.views.access import consumer_required, merchant_required, regulator_required
from complaintdesk.web.views.confirm import confirmation_page

# ------------------------------------------------------------------------------------------------- shared


def _public(group: ComplaintGroup) -> dict:
    """`groups.public_view` with the words the page shows: the state's, each post's side and resolution."""
    view = groups.public_view(group)
    view["state_label"] = GroupState(view["state"]).label
    view["timeline"] = [
        {
            **post,
            "side_label": GroupPostSide(post["side"]).label,
            "resolution_label": ResolutionType(post["resolution_type"]).label
            if post["resolution_type"]
            else "",
        }
        for post in view["timeline"]
    ]
    return view


def _own_complaint(group: ComplaintGroup, user) -> Complaint | None:
    """The signed-in consumer's complaint in the group, if they joined it."""
    if not (user.is_authenticated and user.is_consumer):
        return None
    return group.members.filter(consumer=user).order_by("pk").first()


# A group's members on the console, in the order they were filed, a page at a time. By id, the groups'
# index gives a page's members in order (a page reads its own rows); by receipt, every page would read and
# sort all the group's members, thousands in a big one.
MEMBERS_IN_FILING_ORDER = Order("group_members", (Key("id"),))


def _listed(qs):
    # Each group's `member_count` is on its row (`complaints.group_figures`).
    return qs.select_related("merchant").order_by(*groups.NEWEST_FIRST.ordering())


# ------------------------------------------------------------------------------------------ anyone's page


def group(request, group_id: int):
    """The public page: anyone, signed in or not. Its "join" leads a consumer to the join form and anyone
    else signed out to the sign-in, which comes back to the form."""
    found = get_object_or_404(ComplaintGroup.objects.select_related("merchant"), pk=group_id)
    join_url = reverse("web:join_group", args=[found.pk])
    context = {
        "group": found,
        "view": _public(found),
        "own": _own_complaint(found, request.user),
        "join_url": join_url,
        "sign_in_url": f"{reverse('login')}?next={join_url}",
    }
    return render(request, "web/groups/group.html", context)


# ------------------------------------------------------------------------------------------------ consumer


@consumer_required
def join(request, group_id: int):
    """The consumer's own order and words, the group's problem written in for them; the group's shop and
    product come with it. Joined, they land on their new complaint, which is their own: they accept or
    dispute the shop's answer on it."""
    found = get_object_or_404(ComplaintGroup.objects.select_related("merchant"), pk=group_id)
    form = JoinForm(request.POST or None, initial={"description": found.problem})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = groups.join(
                found,
                request.user,
                order_number=data["order_number"].strip(),
                amount=data["amount"],
                order_date=data["order_date"],
                description=data["description"].strip(),
                wanted_outcome=data["wanted_outcome"],
                # Checked once the join's own checks passed: a refused join does not use up the quota.
                before_filing=lambda: ratelimit.check_complaint_rate(request, request.user),
            )
        except FieldError as exc:
            show_field_errors(form, exc)
        except Conflict as exc:  # closed meanwhile, or joined from another tab
            form.add_error(None, str(exc))
            status = 409
        except ratelimit.RateLimited as exc:
            form.add_error(None, str(exc))
            response = _join_page(request, found, form, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        else:
            messages.success(
                request,
                _(
                    "You joined the group complaint about %(product)s: your complaint %(ref)s was sent to "
                    "%(shop)s. Its deadlines are below; you accept or dispute the shop's answer here."
                )
                % {"product": found.product, "ref": complaint.reference, "shop": found.merchant.name},
            )
            return redirect("web:complaint", complaint.pk)
    if form.errors and status == 200:
        status = 422
    return _join_page(request, found, form, status)


def _join_page(request, found: ComplaintGroup, form, status: int):
    context = {
        "group": found,
        "view": _public(found),
        "form": form,
        "own": _own_complaint(found, request.user),
    }
    return render(request, "web/groups/join.html", context, status=status)


# ------------------------------------------------------------------------------------------------ officers


@regulator_required
@reads_query(CursorQuery)
def console_groups(request, query):
    visible = groups.visible_groups(request.user)
    page = list_page(request, query, _listed(visible), groups.NEWEST_FIRST, counted=visible)
    return render(request, "web/groups/console_list.html", {"page": page})


def _alerts_in_charge(user):
    """The alerts an officer may open a group from: a district officer's of the shops in its charge."""
    return Alert.objects.select_related("merchant", "category").filter(
        in_charge(user, "merchant__"), kind=AlertKind.MASS_INCIDENT
    )


def _suggested(alert: Alert | None, picked: list[Complaint]) -> dict:
    """What the form offers: the alert's product and sample text when it has them, else the product every
    picked complaint names."""
    if alert is not None:
        return groups.suggested_from_alert(alert)
    named = {c.product.strip() for c in picked}
    return {"product": named.pop() if len(named) == 1 else ""}


@regulator_required
@reads_query(OpenGroupQuery)
def open_group(request, query):
    """The form of a new group, from an alert's page (?alert=ID) or the complaints picked on the console's
    list (?complaints=ID&complaints=ID); sent, it opens the group and shows the officer its console page."""
    posted = request.method == "POST"
    form = OpenGroupForm(request.POST) if posted else None
    if posted:
        form.is_valid()  # the hidden alert and complaints are read even when the product or problem is missing
        alert_id, picked_ids = form.cleaned_data.get("alert"), form.cleaned_data.get("complaints", [])
    else:
        alert_id, picked_ids = query["alert"], query["complaints"]
    alert = get_object_or_404(_alerts_in_charge(request.user), pk=alert_id) if alert_id else None
    picked = list(
        visible_complaints(request.user).select_related("merchant").filter(pk__in=picked_ids).order_by("pk")
    )
    if len(picked) != len(picked_ids):  # another bureau's complaint, or none such: as on its own page
        raise Http404
    if not posted:
        form = OpenGroupForm(
            initial={"alert": alert_id, "complaints": picked_ids, **_suggested(alert, picked)}
        )
    status = 200
    if posted and not form.errors:
        data = form.cleaned_data
        try:
            opened = groups.open_group(
                request.user,
                product=data["product"].strip(),
                problem=data["problem"].strip(),
                complaints=picked,
                alert=alert,
            )
        except FieldError as exc:
            show_field_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
            status = 409
        else:
            messages.success(
                request,
                _("Group complaint opened: its public page is at %(url)s.")
                % {"url": request.build_absolute_uri(reverse("web:group", args=[opened.pk]))},
            )
            return redirect("web:console_group", opened.pk)
    if form.errors and status == 200:
        status = 422
    context = {
        "form": form,
        "alert": alert,
        "picked": picked,
        "nothing_picked": alert is None and not picked,
    }
    return render(request, "web/groups/open.html", context, status=status)


def _console_group(request, group_id: int) -> ComplaintGroup:
    return get_object_or_404(groups.visible_groups(request.user).select_related("merchant"), pk=group_id)


def _close_question(found: ComplaintGroup) -> tuple[str, str, str]:
    return (
        _("Close the group complaint about %(product)s?") % {"product": found.product},
        _(
            "Nobody can join it any more; its page stays public. Its members' complaints go on as they are, "
            "each accepted, disputed or withdrawn by its consumer."
        ),
        _("Yes, close the group"),
    )


def _members(user, found: ComplaintGroup):
    """The group's complaints the officer may see, with what their lines show (no deadline, no shop: the
    group's page has them once); a page of them at a time, as a group of thousands has as many."""
    return groups.visible_members(user, [found.pk]).select_related("category")


def _console_page(request, found: ComplaintGroup, query=None, statement_form=None, status: int = 200):
    members = _members(request.user, found)
    context = {
        "group": found,
        "view": _public(found),
        # Not counted here: the facts above give the members.
        "page": segments_page(request, query or {}, [Segment(members, MEMBERS_IN_FILING_ORDER)], count=None),
        "statement_form": statement_form or StatementForm(),
        "close_question": _close_question(found),
    }
    return render(request, "web/groups/console_group.html", context, status=status)


@regulator_required
@reads_query(CursorQuery)
def console_group(request, group_id: int, query):
    return _console_page(request, _console_group(request, group_id), query)


@regulator_required
@require_POST
def statement(request, group_id: int):
    found = _console_group(request, group_id)
    form = StatementForm(request.POST)
    if not form.is_valid():
        return _console_page(request, found, statement_form=form, status=422)
    try:
        groups.post_statement(found, request.user, message=form.cleaned_data["message"].strip())
    except FieldError as exc:
        show_field_errors(form, exc)
        return _console_page(request, found, statement_form=form, status=422)
    except Conflict as exc:
        form.add_error(None, str(exc))
        return _console_page(request, found, statement_form=form, status=409)
    messages.success(request, _("The centre's statement is on the group's public page."))
    return redirect("web:console_group", found.pk)


@regulator_required
@require_POST
def close(request, group_id: int):
    found = _console_group(request, group_id)
    if found.state == GroupState.OPEN and request.POST.get("confirm") != "1":
        question, consequences, yes_label = _close_question(found)
        return confirmation_page(
            request,
            question=question,
            subject=f"{found.merchant.name} · {found.product}",
            consequences=consequences,
            yes_label=yes_label,
            back_url=reverse("web:console_group", args=[found.pk]),
        )
    try:
        groups.close(found, request.user)
    except Conflict as exc:
        messages.error(request, str(exc))
        return _console_page(request, _console_group(request, group_id), status=409)
    messages.success(request, _("The group complaint is closed: nobody can join it any more."))
    return redirect("web:console_group", found.pk)


# ---------------------------------------------------------------------------------------------------- shop


@merchant_required
def shop_groups(request):
    qs = _listed(groups.visible_groups(request.user))
    return render(request, "web/groups/shop_list.html", {"groups": qs[:200], "shop": request.user.merchant})


def _answer_question(found: ComplaintGroup, members: int) -> tuple[str, str, str]:
    return (
        _("Answer the group complaint about %(product)s?") % {"product": found.product},
        _(
            "Your answer goes on the group's public page and to each of its %(n)s members' complaints at once, "
            "as your reply or your proposal on each; it cannot be taken back."
        )
        % {"n": members},
        _("Yes, answer every member"),
    )


def _shop_page(request, found: ComplaintGroup, form=None, status: int = 200):
    view = _public(found)
    context = {
        "group": found,
        "view": view,
        "form": form or GroupAnswerForm(),
        "answered": any(post["side"] == GroupPostSide.SHOP for post in view["timeline"]),
        "answer_question": _answer_question(found, view["members"]),
    }
    return render(request, "web/groups/shop_group.html", context, status=status)


@merchant_required
def shop_group(request, group_id: int):
    """The shop's page of its group, with its one answer to every member: asked about once before it goes."""
    found = get_object_or_404(groups.visible_groups(request.user).select_related("merchant"), pk=group_id)
    if request.method != "POST":
        return _shop_page(request, found)
    form = GroupAnswerForm(request.POST)
    if not form.is_valid():
        return _shop_page(request, found, form, status=422)
    if request.POST.get("confirm") != "1":
        question, consequences, yes_label = _answer_question(found, groups.public_view(found)["members"])
        return confirmation_page(
            request,
            question=question,
            subject=f"{found.merchant.name} · {found.product}",
            consequences=consequences,
            message=form.cleaned_data["message"],
            hidden=[(name, value) for name, value in form.data.items() if name != "csrfmiddlewaretoken"],
            yes_label=yes_label,
            back_url=reverse("web:shop_group", args=[found.pk]),
        )
    data = form.cleaned_data
    try:
        groups.answer(
            found,
            request.user,
            message=data["message"].strip(),
            resolution_type=data["resolution_type"],
            resolution_text=data["resolution_text"].strip(),
        )
    except FieldError as exc:
        show_field_errors(form, exc)
        return _shop_page(request, found, form, status=422)
    except Conflict as exc:
        form.add_error(None, str(exc))
        return _shop_page(request, found, form, status=409)
    messages.success(request, _("Your answer was posted on the group's page and sent to every member."))
    return redirect("web:shop_group", found.pk)
