"""What the web's forms share: lib.uploads' check worded for a form, a field of several files, and a form
whose limits name the field as it is labelled."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from complaintdesk.lib import uploads

# Django's own words for a limit say "this value" (in Chinese "该变量"): these name the field by its label.
LIMIT_MESSAGES = {
    "max_length": _("“%(label)s” may have at most %(limit_value)d characters (it has %(show_value)d)."),
    "min_length": _("“%(label)s” needs at least %(limit_value)d characters (it has %(show_value)d)."),
    "max_value": _("“%(label)s” must be less than or equal to %(limit_value)s."),
    "min_value": _("“%(label)s” must be greater than or equal to %(limit_value)s."),
}


class LabelledForm(forms.Form):
    """A form whose length and number limits name the field as the form labels it, in the reader's
    language, instead of Django's "Ensure this value has at most 10000 characters"."""

    def full_clean(self):
        # At validation, not in __init__: a form's own __init__ may add fields after ours ran (the weekdays).
        for field in self.fields.values():
            if not field.label:
                continue
            # The label goes in now; the limit and the length stay placeholders for the validator's params.
            label = str(field.label).replace("%", "%%")
            field.error_messages = {
                **field.error_messages,
                **{
                    code: str(message).replace("%(label)s", label) for code, message in LIMIT_MESSAGES.items()
                },
            }
        super().full_clean()


def check_upload(upload, allowed, *, wrong_type) -> None:
    """lib.uploads' check, worded for a form: the file's name, the limit in MB, and `wrong_type` (with
    %(name)s) for a type not `allowed`. An empty file never gets here: FileField refuses it first."""
    try:
        uploads.check(upload, allowed)
    except uploads.UploadRefused as refused:
        if refused.problem == uploads.TOO_LARGE:
            raise forms.ValidationError(
                _("%(name)s is too large: the limit is %(mb)s MB."),
                params={"name": upload.name, "mb": refused.limit // (1024 * 1024)},
            ) from None
        if refused.problem == uploads.EMPTY:
            raise forms.ValidationError(
                forms.FileField.default_error_messages["empty"], code="empty"
            ) from None
        raise forms.ValidationError(wrong_type, params={"name": upload.name}) from None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """One or more evidence files, each checked by content before the domain stores it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf,.txt"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [super(EvidenceField, self).clean(f, initial) for f in files]
        for upload in cleaned:
            check_upload(
                upload,
                settings.EVIDENCE_ALLOWED_TYPES,
                wrong_type=_("%(name)s is not a photo (JPEG, PNG), a PDF or a text file."),
            )
        if self.required and not cleaned:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return cleaned


def show_field_errors(form, exc, fields_named=None) -> None:
    """Every field a domain FieldError refused, next to its field (above the form when it has none), all at
    once; `fields_named` maps a domain field to the form field that shows it."""
    for name, reason in [(exc.field, exc.reason), *exc.also]:
        field = (fields_named or {}).get(name, name)
        form.add_error(field if field in form.fields else None, reason)
