"""How a notification leaves the building. One small class per kind, each with one `notify()`.

A transport raises TransientError for failures worth retrying and PermanentError for those that are not
(healthchecks' `Channel.notify`): a webhook answering 4xx is misconfigured, retrying will not help.
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage

from complaintdesk.notify import render


class TransientError(Exception):
    pass


class PermanentError(Exception):
    pass


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", so a receiver can refuse replays outside its time window."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class Email:
    def notify(self, message, to: str = "", language: str = "") -> None:
        """Send to the message's target (or `to`), in `language` (or every language), with the link."""
        subject, body = render.text(message, language)
        email = EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to or message.target],
            # The outbox id as Message-ID lets mail systems drop the duplicate of a retried delivery.
            headers={"Message-ID": f"<{message.id}@complaintdesk>"},
        )
        try:
            email.send(fail_silently=False)
        except (OSError, ConnectionError) as exc:
            raise TransientError(f"mail server: {exc}") from exc


class Webhook:
    timeout_seconds = 10

    def notify(self, message) -> None:
        link = {"link": render.absolute(message.link)} if message.link else {}
        body = json.dumps({"id": str(message.id), "event": message.event, **message.payload, **link}).encode()
        timestamp = str(int(time.time()))
        secret = message.channel.secret if message.channel else ""
        request = urllib.request.Request(
            message.target,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "ComplaintDesk-Webhook/1",
                "X-ComplaintDesk-Delivery": str(message.id),
                "X-ComplaintDesk-Timestamp": timestamp,
                "X-ComplaintDesk-Signature": sign(secret, timestamp, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:
                response.read(1024)
        except urllib.error.HTTPError as exc:
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise PermanentError(f"webhook answered {exc.code}") from exc
            raise TransientError(f"webhook answered {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise TransientError(f"webhook unreachable: {exc}") from exc


TRANSPORTS = {"email": Email(), "webhook": Webhook()}
