"""Security headers on pages and API answers; a strict CSP the pages really keep (no inline code or style);
CSRF tokens in every form; the API docs work from local files under the same policy."""

from html.parser import HTMLParser

import pytest
from django.test import Client

from complaintdesk.complaints.tests import factories


class _PageAudit(HTMLParser):
    """Collects what a strict CSP would block, and POST forms without a CSRF token."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.scripts: list[str] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name.startswith("on"):
                self.problems.append(f"inline handler {name} on <{tag}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL on <{tag}>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            if a.get("src"):
                self.scripts.append(a["src"])
            elif a.get("type") != "application/json":  # data for a script, never executed
                self.problems.append("inline <script>")
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action"), "csrf": False}
        if tag == "input" and self._form is not None and a.get("name") == "csrfmiddlewaretoken":
            self._form["csrf"] = True

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            if not self._form["csrf"]:
                self.problems.append(f"POST form to {self._form['action']} without a CSRF token")
            self._form = None


def _audit(html: str) -> _PageAudit:
    audit = _PageAudit()
    audit.feed(html)
    return audit


def _pages(people):
    c = factories.complaint(people.alice, people.acme)
    waiting = factories.complaint(people.alice, people.acme, state="resolution_proposed")
    public = ["/", "/shops/", "/scorecards/", f"/shops/{people.acme.pk}/", "/signup/", "/accounts/login/"]
    return [
        (None, public),
        (people.alice, ["/my/complaints/", "/my/complaints/new/", f"/complaints/{c.pk}/",
                        f"/complaints/{waiting.pk}/"]),
        (people.bob, ["/workbench/", "/workbench/?view=escalations", "/workbench/shop/", "/workbench/promotions/",
                      "/workbench/promotions/new/", f"/complaints/{c.pk}/"]),
        (people.carol, ["/workbench/shop/"]),
        (people.rita, ["/console/", "/console/escalations/", "/console/complaints/", "/console/alerts/",
                       "/console/filings/", "/console/scorecards/", f"/console/shops/{people.acme.pk}/",
                       "/console/pledge/", f"/complaints/{c.pk}/"]),
    ]  # fmt: skip


@pytest.mark.django_db
def test_every_main_page_keeps_the_csp_and_has_csrf_in_its_forms(people):
    checked = 0
    for user, paths in _pages(people):
        client = Client()
        if user is not None:
            client.force_login(user)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            audit = _audit(response.content.decode())
            assert audit.problems == [], (user and user.username, path, audit.problems)
            assert all(src.startswith("/static/") for src in audit.scripts), (path, audit.scripts)
            checked += 1
    assert checked >= 25


@pytest.mark.django_db
def test_a_page_has_the_security_headers(people):
    response = Client().get("/")
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'" and directives["form-action"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_an_api_answer_has_the_security_headers(people, api):
    for response in (Client().get("/api/v1/health"), api(people.alice).get("/complaints")):
        assert response.status_code == 200
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_api_docs_load_swagger_from_our_own_static_files_under_the_same_policy():
    client = Client()
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    audit = _audit(response.content.decode())
    assert audit.problems == []
    assert audit.scripts and all(s.startswith("/static/ninja/") for s in audit.scripts)
    assert "cdn" not in response.content.decode().lower()
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_login_form_checks_csrf(people):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "alice", "password": "pw-alice"})
    assert response.status_code == 403
