"""The filing forms' shop field: the shop's name typed into a text box (with the directory's suggestions as one
types, web/shop-picker.js), found by the server among the active shops (`merchants.finding`). It replaces a
<select> of every shop, whose page grew with the directory: thousands of options at a province's scale.

Without JavaScript it still works: the name typed is found when one shop fits; when several do, the form comes
back with them as a choice; when none does, it says so. A shop chosen in advance (a scorecard's link, a choice
among several, an API client's id) comes as the shop's id in the field's own name; it holds as long as the
text box still shows (a part of) its name."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from complaintdesk.merchants import finding
from complaintdesk.merchants.models import Merchant

# Django's refusal of a choice not offered (translated by Django): a shop's id that is not an active shop.
INVALID_CHOICE = forms.ModelChoiceField.default_error_messages["invalid_choice"]
NAME_LIMIT = Merchant._meta.get_field("name").max_length


def shop_id(value) -> int | None:
    """A shop's id as sent, or None: only ASCII digits ("²" is a digit to Python), within a database id."""
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


@dataclass(frozen=True)
class Typed:
    """What the field sent: the id of a shop chosen (or ""), and the name in the text box (or "")."""

    chosen: str = ""
    text: str = ""


class ShopPicker(forms.Widget):
    """The text box (labelled by the field), the chosen shop's id in a hidden input, and, when a name fits
    several shops, those shops as radio buttons of the same name. What the field found is set on the widget
    by `ShopField.clean` (a form's fields and widgets are its own copies), so that a form shown again for
    another field's error shows the shop found, by its full name."""

    template_name = "web/_shop_picker.html"

    def __init__(self, attrs=None):
        super().__init__({"maxlength": NAME_LIMIT, **(attrs or {})})
        self.found: Merchant | None = None
        self.candidates: list[Merchant] = []

    @staticmethod
    def text_name(name: str) -> str:
        return f"{name}_name"

    def value_from_datadict(self, data, files, name):
        return Typed(chosen=str(data.get(name, "")).strip(), text=str(data.get(self.text_name(name), "")))

    def value_omitted_from_data(self, data, files, name):
        return name not in data and self.text_name(name) not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.found is not None:
            chosen, text = str(self.found.pk), self.found.name
        elif isinstance(value, Typed):
            chosen, text = value.chosen, value.text
        elif value:  # a shop chosen in advance (the form's initial): shown by its name, if it is active
            pk = value.pk if isinstance(value, Merchant) else shop_id(value)
            text = finding.name_of(pk) if pk is not None else None
            chosen, text = (str(pk), text) if text else ("", "")
        else:
            chosen, text = "", ""
        context["widget"].update(
            text_name=self.text_name(name), text=text, chosen=chosen, candidates=self.candidates
        )
        return context


class ShopField(forms.Field):
    """The shop a filing is about: a `Merchant`, or None when not required and left empty."""

    widget = ShopPicker
    default_error_messages = {
        "invalid_choice": INVALID_CHOICE,
        "not_found": _(
            "No shop in the directory has “%(text)s” in its name: check the spelling, or look the shop up "
            "in the directory."
        ),
        "several": _("Several shops have “%(text)s” in their name: choose yours below."),
        "too_many": _(
            "More than %(count)s shops have “%(text)s” in their name: type more of it, or choose yours "
            "below if it is there."
        ),
    }

    def clean(self, value):
        typed = value if isinstance(value, Typed) else Typed()
        text = finding.normalized(typed.text)
        shop = self._chosen(typed.chosen, text)
        if shop is None and text:
            found = finding.by_name(text)
            shop = found.shop
            if shop is None:
                self.widget.candidates = found.candidates
                code = "too_many" if found.more else "several" if found.candidates else "not_found"
                raise forms.ValidationError(
                    self.error_messages[code], code=code, params={"text": text, "count": finding.CHOICES}
                )
        if shop is None and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        self.widget.found = shop
        return shop

    def _chosen(self, chosen: str, text: str) -> Merchant | None:
        """The shop chosen by its id, if the text box still names it: a text changed to another shop's
        name is what the person means now. An id of no active shop with nothing typed is refused."""
        if not chosen:
            return None
        pk = shop_id(chosen)
        shop = finding.active_shop(pk) if pk is not None else None
        if shop is None and not text:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": chosen}
            )
        if shop is not None and text and text.casefold() not in shop.name.casefold():
            return None
        return shop
