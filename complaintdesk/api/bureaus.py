"""The regulator's bureaus under /api/v1/bureaus (SPEC §11): the city centre and the district bureaus under
it, with the address and contacts their letters carry.

Officers only, and every officer sees every bureau, a district bureau's officers too: a matter may be
transferred to any bureau, so the transfer's form needs them all. What a district officer may open of
another bureau's (its complaints, matters, figures) is another question, answered by each list: nothing.
Consumers and shops read a bureau's name and address on the letters it sends them; they get 403 here."""

from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from complaintdesk.accounts.models import Role
from complaintdesk.api.common import Error
from complaintdesk.centre.models import Bureau, BureauLevel
from complaintdesk.complaints.lifecycle import ActionForbidden

router = Router(tags=["bureaus"])

WHO = (
    "Regulator officers only (anyone else: 403); every officer sees every bureau, a district bureau's "
    "officers too, since a matter may be transferred to any bureau."
)


class BureauOut(Schema):
    id: int
    name_zh: str
    name_en: str
    name: str = Field(description="The name in the reader's language (Accept-Language or the site's).")
    level: BureauLevel = Field(description="city: the city centre; district: a district bureau.")
    parent: int | None = Field(description="The bureau above it (a district's city centre); null for none.")
    address: str
    phone: str
    email: str

    @staticmethod
    def resolve_name(bureau: Bureau) -> str:
        return bureau.name_in(get_language() or "en")

    @staticmethod
    def resolve_parent(bureau: Bureau) -> int | None:
        return bureau.parent_id


def _bureaus(user):
    if user.role != Role.REGULATOR:
        raise ActionForbidden(_("bureaus are for regulator officers"))
    return Bureau.objects.all()


@router.get(
    "",
    response={200: list[BureauOut], 403: Error},
    summary="Every bureau: the city centre first, then the districts",
    description=WHO,
)
def list_bureaus(request):
    return _bureaus(request.auth)


@router.get(
    "/{int:bureau_id}",
    response={200: BureauOut, 403: Error, 404: Error},
    summary="One bureau",
    description=WHO,
)
def bureau_detail(request, bureau_id: int):
    return get_object_or_404(_bureaus(request.auth), pk=bureau_id)
