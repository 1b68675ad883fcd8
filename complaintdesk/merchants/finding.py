"""The shop someone means by the name they typed: the filing forms' shop field, which no longer lists every shop
of the directory (thousands of them at a province's scale) but finds the one typed. The work is bounded
whatever the number of shops: an exact name reads the `merchant_by_name` index, a part of a name reads at most
`CHOICES` + 1 matching shops in name order."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from complaintdesk.merchants.models import Merchant

# At most this many shops are offered when a name fits several; more, and the person types more of it.
CHOICES = 10


@dataclass(frozen=True)
class Found:
    """What a typed name finds: the one shop it means (`shop`), or the shops it fits (`candidates`, the first
    `CHOICES` by name; `more` when others fit too). No shop and no candidates: nothing fits."""

    shop: Merchant | None = None
    candidates: list[Merchant] = field(default_factory=list)
    more: bool = False


def _active(among: QuerySet[Merchant] | None = None) -> QuerySet[Merchant]:
    return (Merchant.objects.all() if among is None else among).filter(is_active=True)


def active_shop(pk: int) -> Merchant | None:
    """The active shop with this id (a link's, a suggestion's, a choice among several), or None."""
    return _active().filter(pk=pk).first()


def name_of(pk: int) -> str | None:
    """The name of the active shop with this id, or None: what a form shows for a shop chosen in advance."""
    return _active().filter(pk=pk).values_list("name", flat=True).first()


def normalized(text: str) -> str:
    """The name as typed, its spaces collapsed (a pasted name often carries a line break or a double space)."""
    return " ".join(text.split())


def by_name(text: str, among: QuerySet[Merchant] | None = None) -> Found:
    """The active shop whose name `text` is, or else the one whose name holds it (ignoring case); several:
    the candidates. A name the same but for case wins over names that merely hold it ("acme" means "ACME"
    rather than "Acme Online"). `among`: only these shops (an officer's in charge), else every shop."""
    text = normalized(text)
    if not text:
        return Found()
    exact = list(_active(among).filter(name=text).order_by("id")[: CHOICES + 1])
    if len(exact) == 1:
        return Found(shop=exact[0])
    if exact:  # several shops of exactly this name: the person tells them apart by their addresses
        return Found(candidates=exact[:CHOICES], more=len(exact) > CHOICES)
    fitting = list(_active(among).filter(name__icontains=text).order_by("name", "id")[: CHOICES + 1])
    same = [shop for shop in fitting if shop.name.casefold() == text.casefold()]
    if len(same) == 1:
        return Found(shop=same[0])
    if len(fitting) == 1:
        return Found(shop=fitting[0])
    return Found(candidates=fitting[:CHOICES], more=len(fitting) > CHOICES)
