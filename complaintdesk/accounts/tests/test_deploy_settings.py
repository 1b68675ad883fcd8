"""Production settings (DEBUG=0) pass `manage.py check --deploy` and carry HSTS, secure cookies and the rest."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from complaintdesk.notify.outbox import LEASE
from complaintdesk.notify.transports import Webhook

ROOT = Path(__file__).resolve().parents[3]


def _production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "SESSION_"))}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.org",
        SITE_URL="https://example.org",
        DJANGO_SETTINGS_MODULE="complaintdesk.settings",
        **extra,
    )
    return env


def _run(args, **extra):
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=_production_env(**extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    # --fail-level WARNING: a single warning fails. The one silenced check (security.W021, HSTS preload)
    # is explained in settings.py; it comes back when the operator sets SECURE_HSTS_PRELOAD=1.
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_production_settings_have_hsts_secure_cookies_and_the_headers():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps({k: "
        "getattr(s, k) for k in ['SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT',"
        " 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE',"
        " 'SECURE_CONTENT_TYPE_NOSNIFF', 'SECURE_REFERRER_POLICY', 'X_FRAME_OPTIONS', 'SESSION_COOKIE_AGE',"
        " 'SILENCED_SYSTEM_CHECKS']}))"
    )
    result = _run(["-c", code])
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_SSL_REDIRECT"]
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] and values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SESSION_COOKIE_AGE"] <= 12 * 3600
    assert values["SILENCED_SYSTEM_CHECKS"] == ["security.W021"]


def test_a_key_rotation_keeps_the_old_keys_from_the_environment_as_fallbacks():
    code = (
        "import django; django.setup(); from django.conf import settings as s; print(s.SECRET_KEY_FALLBACKS)"
    )
    result = _run(["-c", code], SECRET_KEY_FALLBACKS="old-key-1,old-key-2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['old-key-1', 'old-key-2']"


def test_preloading_hsts_when_the_operator_asks_silences_nothing():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], SECURE_HSTS_PRELOAD="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_outgoing_mail_gives_up_well_within_the_outbox_lease():
    # A hung SMTP server or webhook must not outlive the lease, or a second worker would send again.
    assert 0 < settings.EMAIL_TIMEOUT < LEASE.total_seconds() / 2
    assert 0 < Webhook.timeout_seconds < LEASE.total_seconds() / 2
