"""The Simplified Chinese catalogue: every message translated, none fuzzy, placeholders kept, and the committed
django.mo compiled from exactly this django.po (CI does not compile it, so a stale .mo would ship)."""

import ast
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LC_MESSAGES = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\((\w+)\)")


@dataclass
class Entry:
    flags: set[str] = field(default_factory=set)
    strings: dict[str, str] = field(default_factory=dict)  # "msgctxt", "msgid", "msgstr[0]", …

    @property
    def key(self) -> str:
        """The entry's key in a .mo file: context and EOT, the msgid, NUL and the plural msgid."""
        key = self.strings["msgid"]
        if "msgctxt" in self.strings:
            key = self.strings["msgctxt"] + "\x04" + key
        if "msgid_plural" in self.strings:
            key += "\x00" + self.strings["msgid_plural"]
        return key

    @property
    def translations(self) -> list[str]:
        if "msgstr" in self.strings:
            return [self.strings["msgstr"]]
        return [v for k, v in sorted(self.strings.items()) if k.startswith("msgstr[")]


def read_po(text: str) -> list[Entry]:
    """The entries of a .po file, one per blank-line separated block; comments and obsolete (#~) entries,
    which msgfmt does not compile, are skipped."""
    entries = []
    for block in text.split("\n\n"):
        entry, keyword = Entry(), None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry.strings[keyword] += ast.literal_eval(line)
            else:
                keyword, _, quoted = line.partition(" ")
                entry.strings[keyword] = ast.literal_eval(quoted)
        if entry.strings:
            entries.append(entry)
    return entries


def read_mo(data: bytes) -> dict[str, str]:
    """The key → translation table of a compiled .mo file (GNU gettext's binary format)."""
    order = "<" if data[:4] == b"\xde\x12\x04\x95" else ">"
    _, count, originals, translations = struct.unpack(order + "4I", data[4:20])

    def string(table: int, i: int) -> str:
        length, offset = struct.unpack(order + "2I", data[table + 8 * i : table + 8 * i + 8])
        return data[offset : offset + length].decode("utf-8")

    return {string(originals, i): string(translations, i) for i in range(count)}


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return read_po((LC_MESSAGES / "django.po").read_text(encoding="utf-8"))


def test_every_message_has_a_translation_and_none_is_fuzzy(entries):
    messages = [e for e in entries if e.strings.get("msgid")]
    assert len(messages) > 600
    assert [e.key for e in messages if not all(t.strip() for t in e.translations)] == []
    assert [e.key for e in entries if "fuzzy" in e.flags] == []


def test_translations_keep_the_placeholders_of_the_english(entries):
    # A placeholder missing from the Chinese would be a KeyError, a 500, in Chinese only.
    mismatched = [
        e.key
        for e in entries
        for t in e.translations
        if set(PLACEHOLDER.findall(t))
        != set(PLACEHOLDER.findall(e.strings.get("msgid_plural", e.strings["msgid"])))
    ]
    assert mismatched == []


def test_the_compiled_catalogue_holds_exactly_the_translations_of_the_po(entries):
    compiled = read_mo((LC_MESSAGES / "django.mo").read_bytes())
    # The header (key "") is compared without POT-Creation-Date, which msgfmt leaves out of the .mo.
    header = compiled.pop("")
    messages = {e.key: "\x00".join(e.translations) for e in entries}
    assert re.sub(r"POT-Creation-Date: .*\n", "", messages.pop("")) == header
    assert compiled == messages
