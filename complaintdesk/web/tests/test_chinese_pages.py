"""No English left in Chinese: every page the browser tests visit, walked in a real browser in zh-Hans (the
browser's Accept-Language) by every role on the demo data, has no run of English words outside names, codes
and data.

The walk starts at each role's home page and follows every link to a page of ours (one page per route and
set of query parameters), then opens one complaint in each state the role can see (their action forms and
confirmation dialogs differ) and the filing form refused with a photo kept. Hidden text is read too: a
closed step's form, a <dialog> not yet opened, the options of a list, and what a screen reader says (aria
labels, titles, placeholders, alternative text). A link that does not open (not 200) is reported with the
page it is on: its page cannot be read.

What may stay in Latin letters (kept small on purpose; an untranslated message is none of these):
- a single word ("CSV", "12315", "ICS"): names of formats and codes read as one; a run is two words or more;
- a word written in capitals ("JSON", "POST"), or part of a code, reference, address or user name: a word
  joined to a digit, "@", ".", "/" or "-" is not counted ("TS-2026-0000131", "consumer1@demo.local");
- text inside <code>, <kbd> or <samp>: codes by the page's own markup; and what a <textarea> holds, which
  the user edits (the pledge editor holds the English text of each commitment next to the Chinese);
- data: a run found in what people and shops wrote, as stored (DATA_FIELDS; the demo's shops have English
  names and write some plans in both languages), and the 12315 centre's letters as issued (each in its
  recipient's language; a shop's in both, by design). Words the product stores for itself (deadline rules,
  categories' English names, notices) are not data: they must be shown in Chinese.
"""

import re
from collections import defaultdict
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.apps import apps
from django.core.management import call_command

from complaintdesk.accounts.models import Role, User
from complaintdesk.complaints.models import Complaint
from complaintdesk.notify import mailfiles
from complaintdesk.ops.management.commands.worker import run_once
from complaintdesk.web.tests.browser_kit import MARKS, PNG, expect

pytestmark = MARKS

# The demo's logins (seed_demo), one per role; None walks the public pages.
ROLES = {
    "anonymous": None,
    "consumer": "consumer1",
    "shop agent": "shop1-agent",
    "shop coordinator": "shop1-coordinator",
    "regulator": "regulator",
}
# What people and shops wrote: the fields whose words are data, not the product's (see the docstring).
DATA_FIELDS = {
    "accounts.User": ["username", "first_name", "last_name", "email"],
    "merchants.Merchant": ["name", "shop_url", "service_email", "service_chat_url", "returns_address"],
    "merchants.ServiceInfoRevision": ["service_email", "service_chat_url", "returns_address"],
    "complaints.Complaint": ["consumer_name", "product", "promotion_name", "description", "resolution_text"],
    "complaints.ComplaintEvent": ["message", "data"],
    "complaints.Evidence": ["original_name"],
    "complaints.ComplaintGroup": ["product", "problem"],
    "complaints.GroupPost": ["message", "resolution_text"],
    "promotions.Promotion": ["name", "emergency_plan", "contacts", "staffing", "review_comment", "plan_name"],
    "promotions.PromotionEvent": ["message"],
    "pledges.PledgeVersion": ["title"],
    "alerts.Alert": ["note"],
    "deadlines.CalendarOverride": ["note"],
    "centre.Matter": ["text", "contact_name", "contact_email", "web_address", "reason"],
    "centre.CentreCase": ["agreement_terms"],
    "centre.Rating": ["comment"],
    "centre.FollowUpCall": ["note"],
    "centre.Flag": ["note"],
    "centre.Notice": ["title", "body"],
}
# Not pages: downloads, the back office and the API (tested on their own), the language switch's POST.
NOT_PAGES = re.compile(r"^/(admin|api|static|media|exports|i18n)/|/evidence/\d+/$|/plan/$")
PAGES_PER_ROLE = 80  # a bound on the walk, far above what a role can reach (about 20)

WORD = r"[A-Za-z]*[a-z][A-Za-z]*(?:['’-][A-Za-z]+)*"
# Two words or more, separated by spaces only, and not part of a code, address or name (see the docstring).
ENGLISH_RUN = re.compile(rf"(?<![\w@./\-]){WORD}(?:[ \u00a0]+{WORD})+(?![\w@/\-]|\.\w)")

# Every text of the page as a reader or a screen reader meets it, hidden parts included.
TEXTS_OF_THE_PAGE = r"""() => {
  const codes = new Set(["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT", "CODE", "KBD", "SAMP", "TEXTAREA"]);
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => n.nodeType === 1 && codes.has(n.tagName) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.nodeType === 3) { texts.push(n.data); continue; }
    for (const name of ["aria-label", "aria-description", "title", "placeholder", "alt"]) {
      if (n.hasAttribute(name)) texts.push(n.getAttribute(name));
    }
    if (n.tagName === "INPUT" && (n.type === "submit" || n.type === "button")) texts.push(n.value);
  }
  return texts;
}"""


def english_runs(texts: list[str], data: list[str]) -> set[str]:
    return {
        run
        for text in texts
        for run in ENGLISH_RUN.findall(" ".join(text.split()))
        if not any(run in value for value in data)
    }


def stored_data() -> list[str]:
    """Every string in DATA_FIELDS, JSON values included, with runs of spaces made one as the page shows."""
    values = []

    def collect(value):
        if isinstance(value, str):
            values.append(" ".join(value.split()))
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    for label, fields in DATA_FIELDS.items():
        for row in apps.get_model(label).objects.values_list(*fields):
            for value in row:
                collect(value)
    return [v for v in values if re.search(r"[A-Za-z]{2}", v)]


def _page_key(path: str, query: str) -> tuple:
    """Pages of one route with the same query show the same words: ids and page numbers aside."""
    return re.sub(r"\d+", "#", path), tuple(sorted((k, re.sub(r"\d+", "#", v)) for k, v in parse_qsl(query)))


class Walk:
    """One person's pages in Chinese, and the English found on each."""

    def __init__(self, page, who: str, data: list[str], found: dict):
        self.page, self.who, self.data, self.found = page, who, data, found
        self.seen: set[tuple] = set()

    def check(self, where: str) -> None:
        expect(self.page.locator("html")).to_have_attribute("lang", "zh-Hans")
        runs = english_runs(self.page.evaluate(TEXTS_OF_THE_PAGE), self.data)
        if runs:
            self.found[f"{self.who}: {where}"] = runs

    def visit(self, url: str, status: int = 200, linked_from: str = "") -> None:
        response = self.page.goto(self.page.base + url)
        if response.status != status:
            self.found[f"{self.who}: {url}"] = {
                f"HTTP {response.status}" + (f", linked from {linked_from}" if linked_from else "")
            }
            return
        self.check(url)

    def follow_links(self, start: str) -> None:
        queue, visited = [(start, "")], 0
        self.seen.add(_page_key(*urlsplit(start)[2:4]))
        while queue and visited < PAGES_PER_ROLE:
            url, linked_from = queue.pop(0)
            self.visit(url, linked_from=linked_from)
            visited += 1
            for path, query in self._links():
                if _page_key(path, query) not in self.seen:
                    self.seen.add(_page_key(path, query))
                    queue.append((path + (f"?{query}" if query else ""), url))

    def _links(self):
        """The path and query of every link on the page to a page of ours (relative ones included)."""
        ours = urlsplit(self.page.base).netloc
        for href in self.page.eval_on_selector_all(
            "a[href]", "links => links.map(a => a.getAttribute('href'))"
        ):
            parts = urlsplit(urljoin(self.page.url, href))
            if parts.netloc == ours and not NOT_PAGES.search(parts.path):
                yield parts.path, parts.query


def _log_in(page, username: str) -> str:
    """Log in through the Chinese form; returns the path of the role's home page."""
    page.goto(page.base + "/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("demo")
    page.locator("input[name=password]").press("Enter")
    expect(page.locator(".who")).to_contain_text(username)
    return urlsplit(page.url).path


def _the_demo_for_readers_of_chinese(settings, tmp_path) -> None:
    """The demo data as `make run` shows it after the worker's first pass (notices in the bell's list and in
    mail files for the console's mail page), on a site whose language is Chinese: the demo's users, who
    never chose a language, get their notices and the centre's letters in Chinese from the start."""
    settings.LANGUAGE_CODE = "zh-hans"
    settings.EMAIL_BACKEND = mailfiles.BACKEND
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    call_command("seed_demo", verbosity=0)
    run_once()


def _a_complaint_in_each_state() -> dict[str, list[int]]:
    """The first complaint in each state, by who reads it: its consumer, its shop's agent and the officer
    (each sees other steps and dialogs)."""
    readers = defaultdict(list)
    for state in sorted(set(Complaint.objects.values_list("state", flat=True))):
        complaint = Complaint.objects.filter(state=state).select_related("consumer").order_by("pk").first()
        agent = User.objects.filter(merchant=complaint.merchant_id, role=Role.MERCHANT_AGENT).order_by("pk")
        for reader in (complaint.consumer, agent.first(), User.objects.get(username="regulator")):
            if reader is not None:
                readers[reader.username].append(complaint.pk)
    return readers


def _the_filing_form_refused_with_a_photo_kept(walk: Walk) -> None:
    page = walk.page
    page.goto(page.base + "/my/complaints/new/")
    page.locator("input[name=amount]").fill("-3")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "photo.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.locator("input[name=amount]").press("Enter")
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#pending-evidence")).to_be_visible()
    walk.check("/my/complaints/new/ (refused, a photo kept)")


def test_the_check_finds_runs_of_english_and_leaves_codes_names_and_data():
    data = ["Acme Online", "值班经理 Duty manager 1"]
    texts = [
        "请在截止时间前答复 Nothing to do now",  # an untranslated message
        "投诉 TS-2026-0000131 · consumer1@demo.local · https://shop.example/a-b · holiday-cn JSON · CSV",
        "Acme Online 的 Duty manager",  # data
        "e-mail address",  # hyphenated words count
        "You’re done.",
    ]
    assert english_runs(texts, data) == {"Nothing to do now", "e-mail address", "You’re done"}


def test_no_page_a_browser_test_visits_shows_english_in_chinese(open_page, settings, tmp_path):
    _the_demo_for_readers_of_chinese(settings, tmp_path)
    data = stored_data()
    found: dict[str, set[str]] = {}

    def walk(username=None) -> tuple[Walk, str]:
        page = open_page(locale="zh-CN")
        home = _log_in(page, username) if username else "/"
        return Walk(page, username or "anonymous", data, found), home

    # Every role's pages, by the links from its home page.
    for role, username in ROLES.items():
        reader, home = walk(username)
        reader.follow_links(home)
        assert len(reader.seen) > 3, f"the {role}'s walk found almost no pages: {sorted(reader.seen)}"
        if role == "consumer":
            _the_filing_form_refused_with_a_photo_kept(reader)
            reader.visit("/complaints/999999/", status=404)
    # A complaint in each state, as each of its readers sees it.
    for username, complaints in _a_complaint_in_each_state().items():
        reader, _home = walk(username)
        for pk in complaints:
            reader.visit(f"/complaints/{pk}/")
    # A refused sign-in.
    anyone, _home = walk()
    anyone.page.goto(anyone.page.base + "/accounts/login/")
    anyone.page.locator("input[name=username]").fill("nobody")
    anyone.page.locator("input[name=password]").fill("wrong")
    anyone.page.locator("input[name=password]").press("Enter")
    expect(anyone.page.get_by_role("alert")).to_be_visible()
    anyone.check("a refused sign-in")

    assert found == {}, "English on Chinese pages:\n" + "\n".join(
        f"{where}: {sorted(runs)}" for where, runs in sorted(found.items())
    )
