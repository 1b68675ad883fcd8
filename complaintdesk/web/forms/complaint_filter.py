"""The console's complaint list filter (`views.regulator.complaints`): its shop is the filing forms' shop picker
(`shop_picker`: a text box with the directory's suggestions as one types), not a <select> of every shop in
the officer's charge, which cost a model instance and a rendered option per shop on every visit (5,000 of them,
0.3 s, at 10 M complaints) whatever the list showed.

`merchant` stays the shop's id, as links and bookmarks send it (a shop no longer active too): the list is
narrowed to it and the text box shows its name. A name typed (without script, or a suggestion taken) is found
as the filing forms find it (`merchants.finding`), and wins over an id whose shop it does not name, as there.
When the name fits no shop or several, the page says so (offering the several) instead of listing complaints
not narrowed to the shop meant."""

from dataclasses import dataclass

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict

from complaintdesk.merchants import finding
from complaintdesk.merchants.models import Merchant
from complaintdesk.web.filters import ComplaintListQuery, link_query
from complaintdesk.web.forms.shop_picker import NAME_LIMIT, ShopField, ShopPicker, Typed

FIELD_ID = "f-merchant"


class ConsoleComplaintQuery(ComplaintListQuery):
    """The list's query: the filters of a download (`filters.ComplaintFilters`), its cursor, and the text of
    the shop picker's box."""

    merchant_name = forms.CharField(max_length=NAME_LIMIT, required=False, strip=False)


@dataclass(frozen=True)
class ShopFilter:
    """The shop the list is narrowed to (`merchant`, an id, or None for every shop), the picker's HTML, and
    why the name typed chose no shop (empty when it did, or when none was typed)."""

    merchant: int | None
    picker: str
    error: str = ""


def shop_filter(query: dict, shops: QuerySet[Merchant]) -> ShopFilter:
    """The list's shop, from the query's `merchant` (an id) and `merchant_name` (the text box), among `shops`
    (the officer's in charge: another bureau's shop is neither named nor found, as the list holds none of
    its complaints)."""
    chosen, text = query["merchant"], finding.normalized(query["merchant_name"])
    widget = ShopPicker(attrs={"id": FIELD_ID})
    shop = shops.only("id", "name").filter(pk=chosen).first() if chosen else None
    error = ""
    if text and (shop is None or text.casefold() not in shop.name.casefold()):
        found = finding.by_name(text, among=shops)
        shop, widget.candidates = found.shop, found.candidates
        chosen = shop.pk if shop is not None else None
        if shop is None:
            code = "too_many" if found.more else "several" if found.candidates else "not_found"
            error = ShopField.default_error_messages[code] % {"text": text, "count": finding.CHOICES}
    widget.found = shop
    picker = widget.render("merchant", Typed(chosen=str(chosen or ""), text=text))
    return ShopFilter(merchant=chosen, picker=picker, error=error)


def download_query(request, shop: ShopFilter) -> str:
    """The list's query for its download links (`views.exports.complaints`, which reads the shop by its id
    only): the page's own, the shop found by a name typed given by its id, without the cursor."""
    query = QueryDict(link_query(request, "cursor", "merchant"), mutable=True)
    if shop.merchant:
        query["merchant"] = str(shop.merchant)
    return query.urlencode()
