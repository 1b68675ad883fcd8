"""A notice's words in a reader's language, and the absolute link to its page.

A notice is stored untranslated (`OutboxMessage.notice`): the English text, its values, the values that
are themselves words to translate, the values that have a name of their own in each language, and a note
(the words of whoever acted, as they were written). A user reads it in their language; a channel that
belongs to nobody (a shop's or the regulator's mailbox, a webhook) in every language.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext


def notice(text: str, values: dict | None = None, *, translated=None, named=None, note: str = "") -> dict:
    return {
        "text": text,
        "values": values or {},
        "translated": translated or {},
        "named": named or {},
        "note": note or "",
    }


def line(notice: dict, language: str) -> str:
    with translation.override(language):
        values = {
            **notice.get("values", {}),
            **{key: gettext(text) for key, text in notice.get("translated", {}).items()},
            **{
                key: names.get(language) or names.get("en", "")
                for key, names in notice.get("named", {}).items()
            },
        }
        return gettext(notice["text"]) % values


def in_language(notice: dict, language: str = "") -> tuple[str, str]:
    """(subject, body) in `language`; without one, in each of the site's languages, Chinese first."""
    languages = [language] if language else [code for code, _ in reversed(settings.LANGUAGES)]
    lines = [line(notice, code) for code in languages]
    body = "\n\n".join(lines)
    if notice.get("note"):
        body += "\n\n" + notice["note"]
    return " / ".join(lines)[:300], body


def absolute(link: str) -> str:
    return f"{settings.SITE_URL}{link}" if link else ""


def text(message, language: str = "") -> tuple[str, str]:
    """The message's subject and body for a reader of `language` (or for everyone), the link last."""
    subject, body = (
        in_language(message.notice, language) if message.notice else (message.subject, message.body)
    )
    if message.link:
        body += "\n\n" + absolute(message.link)
    return subject, body


def language_of(user) -> str:
    return user.language or settings.LANGUAGE_CODE


def in_each_language(words) -> dict[str, str]:
    """{language: words()} for every site language: a value whose words depend on the active language."""
    named = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            named[code] = str(words())
    return named
