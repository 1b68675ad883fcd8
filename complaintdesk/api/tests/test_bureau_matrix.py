"""The tenancy matrix × bureaus (issue 14 item 3, SPEC §11): every API operation (from the OpenAPI document)
and every web URL (from the resolver), so that an endpoint is covered the day it lands, × a district
officer and a city-level officer × an object of the officer's own bureau and one of another bureau's.

- A path that names an object: a district officer's own bureau's object is found; another bureau's answers
  exactly as an id that does not exist (status and body) and changes nothing (every row of the domain's
  tables is compared before and after); the city-level officer finds both bureaus' objects.
- Every list, count, export and statistic: a district officer's shows nothing of the other bureau (its
  token, references and shop name, `bureau_city`) and is what a city-level officer sees of its bureau
  (`?bureau=` where the list takes it, else `?merchant=` its one shop); the city-level officer's shows both
  bureaus' objects where it shows one's.

The world is `bureau_city`'s: D1 and D2 each with one of everything, built once for the module.
"""

import io
import json
import re
import typing
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote_plus, urlencode

import pytest
import time_machine
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone
from django.utils.html import escape
from pydantic import BaseModel

from complaintdesk.accounts.models import ApiToken, Role
from complaintdesk.api.api import api as ninja_api
from complaintdesk.api.tests.bureau_city import COMPLAINT_KINDS, District, built_city_fixture  # noqa: F401
from complaintdesk.api.tests.test_tenancy_matrix import (
    MISSING_ID,
    OPERATIONS,
    PUBLIC_OPERATIONS,
    SCHEMA,
    _body,
    _query,
    _text,
)
from complaintdesk.centre.matters import ReportDecision
from complaintdesk.complaints import followup
from complaintdesk.complaints.lifecycle import TRANSITIONS
from complaintdesk.stats.exports import FORMATS, STATISTICS_TABLES
from complaintdesk.stats.periods import INTERVALS
from complaintdesk.stats.queries import BREAKDOWNS
from complaintdesk.web import urls
from complaintdesk.web.filters import ALL

# What a path parameter names, as a `District` attribute (several in turn: `EACH`).
OBJECTS = {
    "complaint_id": "shop_complaint",
    "evidence_id": "evidence",
    "flag_id": "flag",
    "merchant_id": "shop",
    "promotion_id": "filing",
    "alert_id": "alert",
    "report_id": "report",
    "enquiry_id": "enquiry",
    "matter_id": "report",
    "group_id": "group",
    "notice_id": "letter",
    "notification_id": "notification",
}
# The lifecycle actions an officer may take, and a shop's (refused to officers whatever the complaint).
OFFICER_ACTIONS = sorted(a for a, t in TRANSITIONS.items() if Role.REGULATOR in t.roles)
ACTIONS = ["respond", *OFFICER_ACTIONS]
# The domain's tables, compared row by row before and after another bureau's object is asked for.
DOMAIN_APPS = ("complaints", "centre", "merchants", "alerts", "promotions", "pledges", "deadlines", "accounts")  # fmt: skip
# Rows a request writes whatever it asks for: the caller's token's last use.
NOT_COMPARED = {"accounts.apitoken"}
# Path parameters that name no bureau's object: the same for every officer.
SHARED = {"version_id", "bureau_id", "action", "number", "mail_id"}


@pytest.fixture
def city(built_city, db, settings):
    """The module's city for one test, in a savepoint; its evidence and plan files where it stored them.
    The clock stands still in the test: two answers compared are of the same instant (a duty's seconds)."""
    settings.MEDIA_ROOT = built_city.media
    with time_machine.travel(timezone.now(), tick=False):
        yield built_city


# ------------------------------------------------------------------------------------- what is compared


def _rows() -> dict[str, list[tuple]]:
    """Every row of the domain's tables (what "changes nothing" compares)."""
    tables = {}
    for label in DOMAIN_APPS:
        for model in apps.get_app_config(label).get_models():
            name = model._meta.label_lower
            if name not in NOT_COMPARED and model._meta.managed:
                tables[name] = list(model.objects.order_by("pk").values_list())
    return tables


def _changed(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def _body_text(response) -> str:
    """The answer as text; a spreadsheet's strings and cells unzipped (an xlsx download)."""
    raw = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as book:
            return "\n".join(book.read(n).decode(errors="replace") for n in book.namelist())
    return raw.decode(errors="replace")


def _shows(text: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s in text]


# Parts of a page that differ from one request to the next whatever it shows.
VOLATILE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), "csrf"),
    (re.compile(r'nonce="[^"]*"'), "nonce"),
]


def _same_page(text: str, url: str) -> str:
    """A page as it compares with another: without what differs at every request, nor its own address
    (the language switcher's `next`)."""
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text.replace(escape(url), "<the page>")


# ------------------------------------------------------------------------------------------- requests

WORDS = "Checked by the bureau: see the file."
# Request fields filled so that the own bureau's request can succeed (the other bureau's then had something
# to change): by name, whatever the operation.
FIELD_VALUES = {
    "message": lambda city, own: WORDS,
    "note": lambda city, own: WORDS,
    "reason": lambda city, own: WORDS,
    "comment": lambda city, own: WORDS,
    "bureau": lambda city, own: city.centre,  # a transfer's: to the city centre
    "direct_phone": lambda city, own: "021-55550001",
    "service_phone": lambda city, own: "021-55550002",
    "user": lambda city, own: own.coordinator,  # a coordinator of the officer's own bureau's shop
}


def _properties(operation: dict) -> dict:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return {}
    schema = content["schema"]
    if "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema.get("properties", {})


class Officer:
    """An officer's API client (a real bearer token): `officer(method, url, operation, action)`."""

    def __init__(self, city, user_id: int, own: District | None = None):
        self.city, self.own = city, own or city.d1
        self.client = Client()
        _, raw = ApiToken.issue(city.user(user_id))
        self.headers = {"Authorization": f"Bearer {raw}"}

    def __call__(self, method: str, url: str, operation: dict, action: str = "", query=None, body=None):
        """`body`: fields over the generated ones (the schema's required fields and `FIELD_VALUES`)."""
        data, content_type = _body(operation)
        if content_type == "application/json" and isinstance(data, dict):
            for name in _properties(operation):
                if name in FIELD_VALUES and not (name == "bureau" and action and action != "transfer"):
                    data[name] = FIELD_VALUES[name](self.city, self.own)
            data.update(body or {})
        query = {**_query(operation, None), **(query or {})}
        if query:
            url = f"{url}?{urlencode(query, doseq=True)}"
        call = getattr(self.client, method.lower())
        if content_type:
            return call(url, data=data, content_type=content_type, headers=self.headers)
        return call(url, data=data, headers=self.headers)


# ------------------------------------------------------------------------------------------------ paths


# A path parameter: {name} in the OpenAPI document, <converter:name> in web/urls.py.
PARAMETER = re.compile(r"\{(\w+)\}|<(?:\w+:)?(\w+)>")


def _path_parameters(path: str) -> list[str]:
    return [a or b for a, b in PARAMETER.findall(path)]


# Path parameters that name several objects of a district's, each in turn.
EACH = {
    "complaint_id": COMPLAINT_KINDS,
    "matter_id": ("report", "enquiry", "answered"),
    "enquiry_id": ("enquiry", "answered"),
    "notice_id": ("letter", "matter_letter"),
}


def _variants(params: list[str]) -> list[dict[str, str]]:
    """Each way of naming one bureau's objects in a path: parameter -> `District` attribute. A flag and an
    evidence file go with their own complaint; a complaint, a matter, a letter is each of the district's in
    turn."""
    named = [p for p in params if OBJECTS.get(p)]
    if "flag_id" in named:
        return [{"complaint_id": "centre_complaint", "flag_id": "flag"}]
    if "evidence_id" in named:
        return [{"complaint_id": "shop_complaint", "evidence_id": "evidence"}]
    if len(named) == 1 and named[0] in EACH:
        return [{named[0]: attribute} for attribute in EACH[named[0]]]
    return [{p: OBJECTS[p] for p in named}] if named else []


def _fill(path: str, city, ids: dict[str, int], action: str) -> str:
    shared = {"version_id": city.pledge, "bureau_id": city.centre, "action": action, "number": 1,
              "mail_id": "1@complaintdesk.eml"}  # fmt: skip

    def value(match):
        name = match.group(1) or match.group(2)
        return str(ids[name] if name in ids else shared[name])

    return PARAMETER.sub(value, path)


def _ids(district: District, variant: dict[str, str]) -> dict[str, int]:
    return {param: getattr(district, attribute) for param, attribute in variant.items()}


def _missing(variant: dict[str, str]) -> dict[str, int]:
    return dict.fromkeys(variant, MISSING_ID)


def _actions(path: str) -> list[str]:
    return ACTIONS if "{action}" in path or "<slug:action>" in path else [""]


@dataclass
class Case:
    """One way to ask for an object in a path: the ids of the officer's own bureau's object (None: none to
    find), of another bureau's, and of none (the answer the other bureau's must equal)."""

    label: str
    own: dict | None
    other: dict
    missing: dict
    action: str


def _cases(city, params: list[str], actions: list[str], own_bureau: District, other_bureau: District):
    """Every way to name an object in a path of `params` (with each of `actions` where it takes one): the
    own bureau's, the other's and none; a complaint of the own bureau's with the other's flag or evidence
    file (as with no such flag or file); and the city centre's own complaint or report, which no district
    holds (another bureau's too, for a district officer)."""
    cases = []
    for action in actions:
        for variant in _variants(params):
            own, other, missing = _ids(own_bureau, variant), _ids(other_bureau, variant), _missing(variant)
            cases.append(Case(f"{variant} {action}", own, other, missing, action))
            if len(variant) == 2:
                mine = {"complaint_id": own["complaint_id"]}
                cases.append(
                    Case(
                        f"{variant} of the own complaint",
                        None,
                        {**other, **mine},
                        {**missing, **mine},
                        action,
                    )
                )
            if len(variant) == 1 and list(variant.values())[0] in city.held:
                ((param, attribute),) = variant.items()
                cases.append(
                    Case(
                        f"the city centre's {attribute}", None, {param: city.held[attribute]}, missing, action
                    )
                )
    return cases


def _api_cases(city, path: str, own_bureau: District, other_bureau: District) -> list[Case]:
    return _cases(city, _path_parameters(path), _actions(path), own_bureau, other_bureau)


VIEWERS = ("d1", "d2")


@dataclass
class Secrets:
    """What of the other bureau's a district's officer must not see, in an answer."""

    words: list[str]
    public: list[str]  # the other bureau's group complaint's public page: a member held here shows it

    def shown_in(self, text: str) -> list[str]:
        for words in self.public:
            text = text.replace(words, "")
        return _shows(text, self.words)


def _sides(city, viewer: str) -> tuple[District, District, Secrets]:
    """(the viewer's district, the other, what of the other's it must not see). D2's officer knows the name
    of D1's shop and its group complaint: it holds one of the shop's complaints, a member of the group. The
    city centre's own complaint and report are no district's."""
    own, other = (city.d1, city.d2) if viewer == "d1" else (city.d2, city.d1)
    words = [*other.secrets(except_shop=viewer == "d2"), *city.held_secrets]
    return own, other, Secrets(words, [other.markers[k] for k in ("group", "problem", "statement")])


def _names_object(path: str) -> bool:
    return any(OBJECTS.get(p) for p in _path_parameters(path))


PATH_OPERATIONS = [
    (m, p, o) for m, p, o in OPERATIONS if _names_object(p) and f"{m} {p}" not in PUBLIC_OPERATIONS
]


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize(
    ("method", "path", "operation"), PATH_OPERATIONS, ids=[f"{m} {p}" for m, p, _ in PATH_OPERATIONS]
)
def test_api_another_bureaus_object_answers_as_a_missing_id_and_changes_nothing(
    city, viewer, method, path, operation
):
    mine, theirs, secrets = _sides(city, viewer)
    dora, cleo = Officer(city, mine.officer, mine), Officer(city, city.city_officer, mine)
    cases = _api_cases(city, path, mine, theirs)
    before = _rows()
    for case in cases:
        answer = dora(method, _fill(path, city, case.other, case.action), operation, case.action)
        nothing = dora(method, _fill(path, city, case.missing, case.action), operation, case.action)
        text = _body_text(answer)
        assert answer.status_code < 500, (case.label, text[:500])
        assert (answer.status_code, text) == (nothing.status_code, _body_text(nothing)), (
            f"{method} {path} {case.label}: the other bureau's object does not answer as a missing id"
        )
        assert not secrets.shown_in(text), (case.label, text[:300])
        changed = _changed(before, _rows())
        assert not changed, f"{method} {path} {case.label} changed {changed}"
    # The own bureau's object is there (so the answer above is about the bureau, not a broken request),
    # with nothing of the other bureau's in it (a flag's evidence, a shop's other complaints); an operation
    # that is no officer's (a consumer's rating, a shop's filing) is refused to any officer.
    for case in cases:
        if case.own is None:
            continue
        answer = dora(method, _fill(path, city, case.own, case.action), operation, case.action)
        text = _body_text(answer)
        assert answer.status_code < 500, (case.label, text[:500])
        assert answer.status_code != 404, (case.label, text[:300])
        assert not secrets.shown_in(text), (case.label, "own object shows the other's", text[:500])
        if answer.status_code == 403:
            refused = cleo(method, _fill(path, city, case.own, case.action), operation, case.action)
            assert refused.status_code == 403, (case.label, _text(answer)[:300])
        elif method == "GET":
            assert answer.status_code == 200, (case.label, _text(answer)[:300])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "operation"), PATH_OPERATIONS, ids=[f"{m} {p}" for m, p, _ in PATH_OPERATIONS]
)
def test_api_a_city_level_officer_finds_every_bureaus_object(city, method, path, operation):
    cleo = Officer(city, city.city_officer)
    for case in _api_cases(city, path, city.d1, city.d2):
        if case.own is None:
            continue
        for ids in (case.own, case.other):
            answer = cleo(method, _fill(path, city, ids, case.action), operation, case.action)
            assert answer.status_code < 500, (case.label, _text(answer)[:500])
            assert answer.status_code != 404, (case.label, _text(answer)[:300])
            if method == "GET":
                assert answer.status_code == 200, (case.label, _text(answer)[:300])


# Request fields that name an object of a bureau's (as `District` attributes, in turn), and the operations
# where naming another bureau's is no question of bureaus: anyone files a complaint about any shop (shops
# are public, the directory lists them), and it goes to the bureau in charge of the shop.
BODY_OBJECTS = {
    "complaints": ["shop_complaint", "centre_complaint", "moved", "closed"],
    "complaint": ["shop_complaint", "centre_complaint", "moved", "closed"],
    "alert": ["alert"],
    "merchant": ["shop"],
}
ANY_SHOP = {"POST /api/v1/complaints"}
BODY_OPERATIONS = [
    (m, p, o)
    for m, p, o in OPERATIONS
    if m != "GET"
    and not _names_object(p)
    and f"{m} {p}" not in PUBLIC_OPERATIONS | ANY_SHOP
    and set(_properties(o)) & set(BODY_OBJECTS)
]


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize(
    ("method", "path", "operation"), BODY_OPERATIONS, ids=[f"{m} {p}" for m, p, _ in BODY_OPERATIONS]
)
def test_api_another_bureaus_object_in_a_request_answers_as_a_missing_id(
    city, viewer, method, path, operation
):
    """An object named in the request's body (the complaints or the alert a group is opened from, its shop):
    another bureau's answers as none such and changes nothing; the own bureau's is found."""
    mine, theirs, secrets = _sides(city, viewer)
    officer = Officer(city, mine.officer, mine)
    before = _rows()
    for name in sorted(set(_properties(operation)) & set(BODY_OBJECTS)):
        many = name.endswith("s")
        for attribute in BODY_OBJECTS[name]:
            other, missing = getattr(theirs, attribute), MISSING_ID
            answer = officer(method, path, operation, body={name: [other] if many else other})
            nothing = officer(method, path, operation, body={name: [missing] if many else missing})
            text = _body_text(answer)
            assert answer.status_code < 500, (name, attribute, text[:500])
            assert (answer.status_code, text) == (nothing.status_code, _body_text(nothing)), (name, attribute)
            assert not secrets.shown_in(text), (name, attribute, text[:300])
            assert not _changed(before, _rows()), (name, attribute)
    for name in sorted(set(_properties(operation)) & set(BODY_OBJECTS)):
        own = getattr(mine, BODY_OBJECTS[name][0])
        answer = officer(method, path, operation, body={name: [own] if name.endswith("s") else own})
        assert answer.status_code < 500 and answer.status_code != 404, (name, _text(answer)[:300])


# ------------------------------------------------------------------------------------------------ lists

# Query parameters whose every value is another table, breakdown or file: each is asked for in turn.
CHOICES = {"table": STATISTICS_TABLES, "format": FORMATS, "by": BREAKDOWNS, "interval": INTERVALS}
# The table a choice is about in a statistics download.
CHOICE_TABLE = {"by": "breakdown", "interval": "series"}
# The tables of a download that `bureau` narrows (the others are the shops' figures, narrowed by shop).
BUREAU_TABLES = ("centre", "complaints")
LIST_OPERATIONS = [
    (m, p, o)
    for m, p, o in OPERATIONS
    if m == "GET" and not _names_object(p) and f"{m} {p}" not in PUBLIC_OPERATIONS
]


def _parameters(operation: dict) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}


def _varied(names, choices: dict) -> list[dict]:
    """The query as it is by default, then with each value of each choice in `names` (a breakdown's
    dimension with the breakdown table, a series' step with the series, where the query takes a table)."""
    queries = [{}]
    for name in sorted(set(names) & set(choices)):
        table = {"table": CHOICE_TABLE[name]} if name in CHOICE_TABLE and "table" in names else {}
        queries += [{**table, name: value} for value in choices[name]]
    return queries


def _choices(operation: dict) -> list[dict]:
    return _varied(_parameters(operation), CHOICES)


def _lookups(operation: dict, city, other: District) -> list[dict]:
    """The filters that name one of `other`'s objects or words: each must find nothing of it."""
    names = _parameters(operation)
    lookups = []
    if "merchant" in names:
        lookups.append({"merchant": other.shop})
    if "bureau" in names:
        lookups.append({"bureau": other.bureau})
    if "complaint" in names:
        lookups += [{"complaint": pk} for pk in other.complaints.values()]
    if "q" in names:
        lookups += [
            {"q": words} for words in (other.markers["product"], other.code, *other.references.values())
        ]
    return lookups


def _as_bureau(operation: dict, district: District, query: dict) -> dict | None:
    """The filter that gives a city-level officer what `district`'s officer sees of the list: its bureau, or
    where the list has no bureau filter, its one shop (each district has one shop in its charge and holds
    nothing of another shop's but complaints, which the complaint list filters by bureau). The shops'
    figures are the shops': a statistics table but the centre's and the complaint list, by shop."""
    names = _parameters(operation)
    table = query.get("table", _query(operation, None).get("table"))
    if "bureau" in names and table in (None, *BUREAU_TABLES):
        return {"bureau": district.bureau}
    if "merchant" in names:
        return {"merchant": district.shop}
    return None


def _comparable(answer: tuple[int, str], echoed: dict):
    """What of an answer two viewers of the same objects must agree on: a page of items, which items and how
    many (an item's details may be the viewer's: a group's members they may open); any other JSON, all of
    it but the filters it repeats (a statistic's `merchant`: null or the shop asked for)."""
    status, text = answer
    try:
        body = json.loads(text)
    except ValueError:
        return answer
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return status, body.get("count"), [item.get("id") for item in body["items"]]
    if isinstance(body, dict):
        body = {key: value for key, value in body.items() if key not in echoed}
    return status, body


def _shown(text: str, district: District) -> set[str]:
    """The kinds of `district`'s objects an answer shows (by their markers and references)."""
    kinds = {kind for kind, marker in district.markers.items() if marker in text}
    return kinds | {
        f"reference:{kind}" for kind, reference in district.references.items() if reference in text
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "operation"), LIST_OPERATIONS, ids=[f"{m} {p}" for m, p, _ in LIST_OPERATIONS]
)
def test_api_lists_counts_exports_and_statistics_are_the_officers_bureaus(city, method, path, operation):
    officers = {
        "d1": Officer(city, city.d1.officer),
        "d2": Officer(city, city.d2.officer),
        "city": Officer(city, city.city_officer),
    }
    url = _fill(path, city, {}, "")

    def read(who: str, query: dict) -> tuple[int, str]:
        answer = officers[who](method, url, operation, query=query)
        assert answer.status_code < 500, (who, query, _text(answer)[:500])
        return answer.status_code, _body_text(answer)

    for query in _choices(operation):
        d1, d2, everyone = read("d1", query), read("d2", query), read("city", query)
        # Nothing of the other bureau (D2's officer knows the name of D1's shop: it holds one of its complaints).
        assert not _sides(city, "d1")[2].shown_in(d1[1]), (query, "D1 sees another's", d1[1][:500])
        assert not _sides(city, "d2")[2].shown_in(d2[1]), (query, "D2 sees another's", d2[1][:500])
        # What a district's officer sees is what the city-level officer sees of that bureau.
        for district, answer in ((city.d1, d1), (city.d2, d2)):
            same = _as_bureau(operation, district, query)
            if same is not None:
                theirs = read("city", {**query, **same})
                assert _comparable(theirs, same) == _comparable(answer, same), (query, same)
        # The city-level officer sees both bureaus' objects where a district's officer sees its own.
        assert _shown(d1[1], city.d1) <= _shown(everyone[1], city.d1), query
        assert {k for k in _shown(d1[1], city.d1) if k != "shop"} <= _shown(everyone[1], city.d2), query
    # A filter that names the other bureau's shop, bureau, complaint or words finds nothing of it.
    for who in VIEWERS:
        mine, other, secrets = _sides(city, who)
        for query in _lookups(operation, city, other):
            _status, text = read(who, query)
            assert not secrets.shown_in(_without_words(text, query.get("q", ""))), (who, query, text[:500])
            if "bureau" in query:  # another bureau's list is empty for a district officer, not its own
                assert not _shown(text, mine) - {"shop"}, (who, query, text[:500])


# -------------------------------------------------------------------------------------------------- web

# Pages anyone may open, whoever's object they show (a shop's scorecard, a group complaint's public page),
# and the consumers' join form of any group: no bureau's to keep.
PUBLIC_PAGES = {"scorecard", "group", "join_group"}
# A form's values that let the own bureau's request through (extra fields are ignored by every form).
WEB_FORM = {"message": WORDS, "note": WORDS, "reason": WORDS, "comment": WORDS, "answer": WORDS, "confirm": "1",
            "direct_phone": "021-55550001", "service_phone": "021-55550002"}  # fmt: skip
WEB_FORM_OF = {
    "decide_matter": {"decision": ReportDecision.values[0]},
    "review_filing": {"decision": "accept"},
}
# The actions of a console alert's path (`regulator.alert_action`).
ALERT_ACTIONS = ["acknowledge", "close"]
# Query parameters that name one object a page is about (the follow-up call's complaint or matter, the
# alert or complaints a group is opened from): the `District` attributes they take in turn.
QUERY_OBJECTS = {
    "complaint": ["closed"],
    "matter": ["report", "enquiry"],
    "alert": ["alert"],
    "complaints": ["shop_complaint", "centre_complaint", "moved"],
}


def _page(pattern: URLPattern, city, ids: dict, action: str) -> str:
    values = {name: ids.get(name) for name in pattern.pattern.converters}
    shared = {"version_id": city.pledge, "action": action, "mail_id": "1@complaintdesk.eml"}
    return reverse(
        f"web:{pattern.name}", kwargs={k: v if v is not None else shared[k] for k, v in values.items()}
    )


def _web_actions(pattern: URLPattern) -> list[str]:
    if "action" not in pattern.pattern.converters:
        return [""]
    return ALERT_ACTIONS if pattern.name.startswith("alert") else ACTIONS


def _web_cases(city, pattern: URLPattern, own_bureau: District, other_bureau: District) -> list[Case]:
    return _cases(city, list(pattern.pattern.converters), _web_actions(pattern), own_bureau, other_bureau)


def _web_client(city, user_id: int) -> Client:
    client = Client()
    client.force_login(city.user(user_id))
    return client


def _form(pattern: URLPattern, city, own: District) -> dict:
    return {**WEB_FORM, "bureau": city.centre, "user": own.coordinator, **WEB_FORM_OF.get(pattern.name, {})}


WEB_OBJECT_PAGES = [p for p in urls.urlpatterns if any(OBJECTS.get(c) for c in p.pattern.converters)]


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("pattern", WEB_OBJECT_PAGES, ids=[p.name for p in WEB_OBJECT_PAGES])
def test_web_another_bureaus_object_answers_as_a_missing_id_and_changes_nothing(city, viewer, pattern):
    mine, theirs, secrets = _sides(city, viewer)
    dora, cleo = _web_client(city, mine.officer), _web_client(city, city.city_officer)
    cases = _web_cases(city, pattern, mine, theirs)
    form = _form(pattern, city, mine)
    before = _rows()
    for case in cases:
        for method in ("get", "post"):
            ask = getattr(dora, method)
            data = form if method == "post" else None
            url, missing_url = (
                _page(pattern, city, case.other, case.action),
                _page(pattern, city, case.missing, case.action),
            )
            answer, nothing = ask(url, data), ask(missing_url, data)
            text = _body_text(answer)
            assert answer.status_code < 500, (case.label, method, text[:500])
            if pattern.name in PUBLIC_PAGES:
                continue
            assert (answer.status_code, _same_page(text, url)) == (
                nothing.status_code,
                _same_page(_body_text(nothing), missing_url),
            ), (
                f"{pattern.name} {case.label} {method}: the other bureau's object does not answer as a missing id"
            )
            assert not secrets.shown_in(text), (case.label, method, text[:300])
            changed = _changed(before, _rows())
            assert not changed, f"{pattern.name} {case.label} {method} changed {changed}"
    for case in cases:
        if case.own is None:
            continue
        for method in ("get", "post"):
            url = _page(pattern, city, case.own, case.action)
            answer = getattr(dora, method)(url, form if method == "post" else None)
            text = _body_text(answer)
            assert answer.status_code < 500, (case.label, method, text[:500])
            assert answer.status_code != 404, (case.label, method, text[:300])
            assert not secrets.shown_in(text), (case.label, method, "own object shows the other's")
            if answer.status_code == 403:  # refused to every officer (a consumer's form), not for the bureau
                assert getattr(cleo, method)(url, form if method == "post" else None).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", WEB_OBJECT_PAGES, ids=[p.name for p in WEB_OBJECT_PAGES])
def test_web_a_city_level_officer_finds_every_bureaus_object(city, pattern):
    """Found, whichever bureau's; a page that is no officer's (a consumer's or a shop's form) is refused
    for both alike."""
    cleo = _web_client(city, city.city_officer)
    for case in _web_cases(city, pattern, city.d1, city.d2):
        if case.own is None:
            continue
        answers = [cleo.get(_page(pattern, city, ids, case.action)) for ids in (case.own, case.other)]
        for answer in answers:
            assert answer.status_code < 500, (case.label, _text(answer)[:500])
            assert answer.status_code != 404, (case.label, _text(answer)[:300])
        assert answers[0].status_code == answers[1].status_code, case.label


def _query_form(pattern: URLPattern):
    form = getattr(pattern.callback, "query_form", None)
    return form.base_fields if form else {}


def _query_objects(pattern: URLPattern) -> list[str]:
    return [name for name in _query_form(pattern) if name in QUERY_OBJECTS]


# Pages for everybody that list every shop (the public directory and scorecards), and the public forms.
PUBLIC_LISTS = {"home", "start", "signup", "directory", "scorecards", "report", "enquiry"}
WEB_LIST_PAGES = [
    p
    for p in urls.urlpatterns
    if not p.pattern.converters and p.name not in PUBLIC_LISTS and not _query_objects(p)
]
WEB_QUERY_OBJECT_PAGES = [p for p in urls.urlpatterns if _query_objects(p)]
# Each value of these choices is another page or file (a statistics table, a kind of matter, a queue's tab).
# A state filter's states are the same page's rows: only its "all" is another page (every alert, filing).
WEB_CHOICES = ("table", "format", "by", "interval", "kind", "view")
# Kinds of objects that are one officer's own, not their bureau's: the city-level officer has none of D1's.
PERSONAL = {"notification"}


def _web_queries(pattern: URLPattern) -> list[dict]:
    """The page as it opens (its required choices the first; the follow-up calls of this week, where the
    city's were made), then with each value of each choice that makes another page."""
    fields = _query_form(pattern)
    base = {name: field.choices[0][0] for name, field in fields.items() if field.required}
    if "week" in fields:
        base["week"] = followup.week_label(
            timezone.localdate() - timedelta(days=timezone.localdate().weekday())
        )
    choices = {
        name: [value for value, _label in fields[name].choices if value]
        for name in WEB_CHOICES
        if name in fields and hasattr(fields[name], "choices")
    }
    if "state" in fields and ALL in dict(getattr(fields["state"], "choices", ())):
        choices["state"] = [ALL]
    return [{**base, **query} for query in _varied(fields, choices)]


def _web_lookups(pattern: URLPattern, other: District) -> list[dict]:
    fields = _query_form(pattern)
    lookups = [{"merchant": other.shop}] if "merchant" in fields else []
    lookups += [{"bureau": other.bureau}] if "bureau" in fields else []
    if "q" in fields:
        lookups += [
            {"q": words} for words in (other.markers["product"], other.code, *other.references.values())
        ]
    return lookups


def _without_words(text: str, words: str) -> str:
    return text.replace(words, "").replace(quote_plus(words), "") if words else text


def _is_page(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", WEB_LIST_PAGES, ids=[p.name for p in WEB_LIST_PAGES])
def test_web_lists_downloads_and_figures_are_the_officers_bureaus(city, pattern):
    clients = {
        "d1": _web_client(city, city.d1.officer),
        "d2": _web_client(city, city.d2.officer),
        "city": _web_client(city, city.city_officer),
    }
    url = reverse(f"web:{pattern.name}")
    bureau_filter = "bureau" in _query_form(pattern)

    def read(who: str, query: dict):
        answer = clients[who].get(url, query)
        assert answer.status_code < 500, (who, query, _text(answer)[:500])
        return answer, _body_text(answer)

    for query in _web_queries(pattern):
        (d1, d1_text), (d2, d2_text), (_c, city_text) = (
            read("d1", query),
            read("d2", query),
            read("city", query),
        )
        assert not _sides(city, "d1")[2].shown_in(d1_text), (query, "D1 sees another's", d1_text[:500])
        assert not _sides(city, "d2")[2].shown_in(d2_text), (query, "D2 sees another's", d2_text[:500])
        if bureau_filter:
            # The city-level officer's page of one bureau shows what that bureau's officer sees (a download:
            # the very same file).
            for district, (mine, text) in ((city.d1, (d1, d1_text)), (city.d2, (d2, d2_text))):
                theirs, their_text = read("city", {**query, "bureau": district.bureau})
                if _is_page(mine):  # a shop's name may be in the city-level officer's filter of shops
                    for whose in (city.d1, city.d2):
                        assert _shown(their_text, whose) - {"shop"} == _shown(text, whose) - {"shop"}, (
                            query,
                            district.code,
                            whose.code,
                        )
                else:
                    assert their_text == text, (query, district.code)
        shown = _shown(d1_text, city.d1) - PERSONAL
        assert shown <= _shown(city_text, city.d1), (query, shown - _shown(city_text, city.d1))
        assert shown - {"shop"} <= _shown(city_text, city.d2), (query, shown - _shown(city_text, city.d2))
    for who in VIEWERS:
        mine, other, secrets = _sides(city, who)
        for query in _web_lookups(pattern, other):
            _answer, text = read(who, {**_web_queries(pattern)[0], **query})
            text = _without_words(text, query.get("q", ""))  # the search box shows the officer's own words
            assert not secrets.shown_in(text), (who, query, text[:500])
            if "bureau" in query:  # another bureau's list is empty for a district officer, not its own
                assert not _shown(text, mine) - {"shop"}, (who, query, text[:500])


@pytest.mark.django_db
@pytest.mark.parametrize("table", STATISTICS_TABLES)
def test_a_district_officers_statistics_download_on_the_web_is_the_apis(city, table):
    """Its figures are its bureau's (the API's equal the city-level officer's of that bureau, above)."""
    period = {"start": (timezone.localdate() - timedelta(days=30)).isoformat(), "end": timezone.localdate()}
    web = _web_client(city, city.d1.officer).get(reverse("web:export_statistics"), {"table": table, **period})
    api = Officer(city, city.d1.officer)
    operation = next(o for m, p, o in OPERATIONS if (m, p) == ("GET", "/api/v1/stats/export"))
    answer = api("GET", "/api/v1/stats/export", operation, query={"table": table, **period})
    assert (web.status_code, _body_text(web)) == (answer.status_code, _body_text(answer))


# Figures that are no count (a share, a median, the period's length): they do not add up across bureaus.
NOT_COUNTS = re.compile(r"rate|share|median|p90|average|period|days|^bureau$")


def _counts(figures, path: tuple = ()) -> dict[tuple, Decimal]:
    """Every count of a JSON answer, by its path (a list's items by their kind, via and channel)."""
    if isinstance(figures, dict):
        found = {}
        for key, value in figures.items():
            if not NOT_COUNTS.search(str(key)) and key != "by_bureau":
                found |= _counts(value, (*path, key))
        return found
    if isinstance(figures, list):
        found = {}
        for item in figures:
            name = tuple(str(v) for k, v in item.items() if k != "count")
            found[(*path, *name)] = Decimal(item["count"])
        return found
    if isinstance(figures, bool) or figures is None:
        return {}
    try:
        return {path: Decimal(str(figures))}  # a number, or an amount written as one
    except ArithmeticError:
        return {}  # a name


@pytest.mark.django_db
def test_the_centres_figures_of_the_bureaus_add_up_and_a_district_sees_its_own(city):
    """The city-level officer's figures side by side add up to the centre's, each count once (a transfer
    out of one bureau and into another); a district officer's are its bureau's as the city sees them."""
    operation = next(o for m, p, o in OPERATIONS if (m, p) == ("GET", "/api/v1/stats/centre"))
    every = Officer(city, city.city_officer)("GET", "/api/v1/stats/centre", operation).json()
    side_by_side = {entry["bureau"]: _counts(entry) for entry in every["by_bureau"]}
    assert set(side_by_side) >= {city.centre, city.d1.bureau, city.d2.bureau}
    total = _counts(every)
    for path in set(total) | {p for counts in side_by_side.values() for p in counts}:
        assert sum(counts.get(path, 0) for counts in side_by_side.values()) == total.get(path, 0), path
    assert total[("received", "complaint")] == 5  # each district's two, the city centre's own
    for district in (city.d1, city.d2):
        own = Officer(city, district.officer)("GET", "/api/v1/stats/centre", operation).json()
        assert _counts(own) == side_by_side[district.bureau]
        assert [entry["bureau"] for entry in own["by_bureau"]] == [district.bureau]


@pytest.mark.django_db
def test_the_dashboards_counts_are_the_bureaus(city):
    """Each district holds three open complaints (with its shop, at the centre, transferred to it), two of
    them before the centre, an open alert and a filing to review; the city centre one more open complaint
    before it. The complaints received are the shops' (a district's shop's, wherever they are held): the
    Lantern Shop's four (one held by D2), the Teapot Store's three; the Corner Shop's two are the city's."""
    counts = {
        who: _web_client(city, user).get(reverse("web:dashboard")).context["data"]["counts"]
        for who, user in (("d1", city.d1.officer), ("d2", city.d2.officer), ("city", city.city_officer))
    }
    keys = ("received", "open", "escalations", "open_alerts", "filings_to_review")
    assert [counts["d1"][k] for k in keys] == [4, 3, 2, 1, 1]
    assert [counts["d2"][k] for k in keys] == [3, 3, 2, 1, 1]
    assert [counts["city"][k] for k in keys] == [9, 7, 5, 2, 2]


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("pattern", WEB_QUERY_OBJECT_PAGES, ids=[p.name for p in WEB_QUERY_OBJECT_PAGES])
def test_web_another_bureaus_object_in_a_query_answers_as_a_missing_id(city, viewer, pattern):
    """The follow-up call's complaint or matter, the alert or complaints a group is opened from: named in
    the query (and, sent, in the form), another bureau's is not found, exactly as none such."""
    mine, theirs, secrets = _sides(city, viewer)
    dora = _web_client(city, mine.officer)
    url = reverse(f"web:{pattern.name}")
    before = _rows()
    for name in _query_objects(pattern):
        for attribute in QUERY_OBJECTS[name]:
            other, missing = getattr(theirs, attribute), MISSING_ID
            for method in ("get", "post"):
                ask = getattr(dora, method)
                form = {**_form(pattern, city, mine), name: other} if method == "post" else None
                asked, none_such = f"{url}?{name}={other}", f"{url}?{name}={missing}"
                answer = ask(asked, form)
                nothing = ask(none_such, {**form, name: missing} if form else None)
                text = _body_text(answer)
                assert answer.status_code < 500, (name, method, text[:500])
                assert (answer.status_code, _same_page(text, asked)) == (
                    nothing.status_code,
                    _same_page(_body_text(nothing), none_such),
                ), (name, method)
                assert not secrets.shown_in(text), (name, method, text[:300])
                assert not _changed(before, _rows()), (name, method)
            own = dora.get(f"{url}?{name}={getattr(mine, attribute)}")
            assert own.status_code == 200, (name, _text(own)[:300])
            assert not secrets.shown_in(_body_text(own)), (name, attribute, "the own shows the other's")


def _schemas(annotation, found: set) -> None:
    """The pydantic models in an annotation, and in their fields, into `found`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                _schemas(field.annotation, found)
        return
    for argument in typing.get_args(annotation):
        _schemas(argument, found)


def test_the_openapi_document_names_each_schema_once():
    """Two schemas of one name are one in the document (the last one read): the enquiry's answer was
    documented as the group answer's body, and the matrix above makes its requests from the document."""
    found = set()
    for _prefix, router in ninja_api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.models, *operation.response_models.values()]:
                    _schemas(model, found)
    ours = [m for m in found if m.__module__.startswith("complaintdesk.")]
    names = {}
    for model in ours:
        names.setdefault(model.__name__, []).append(f"{model.__module__}.{model.__qualname__}")
    assert {name: where for name, where in names.items() if len(where) > 1} == {}


def test_the_matrix_knows_every_path_parameter():
    """A new kind of object in a path (an operation or a page) needs its bureaus' objects in the city."""
    routes = [p for _m, p, _o in OPERATIONS] + [str(p.pattern) for p in urls.urlpatterns]
    unknown = {name for route in routes for name in _path_parameters(route)} - set(OBJECTS) - SHARED
    assert unknown == set(), f"add {unknown} to OBJECTS (and the city) or SHARED"
