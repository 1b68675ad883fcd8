from django.contrib.auth.models import AnonymousUser
from ninja.security import HttpBearer, SessionAuth

from complaintdesk.accounts.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


class WebSession(SessionAuth):
    """The web pages' session (with CSRF). A request that sends an Authorization header is an API client:
    when its token is wrong it must hear 401, not fall through to a session check that answers 403."""

    def __call__(self, request):
        if "HTTP_AUTHORIZATION" in request.META:
            return None
        return super().__call__(request)


class SignedInOrNot(WebSession):
    """For what anyone may do without an account (a report, an enquiry to the 12315 centre): a web session
    speaks for its user (with CSRF), and a caller with no credentials at all is anonymous (`AnonymousUser`).
    Listed after `BearerToken`, which takes a valid token; a token that is sent but not valid is refused
    (401), never taken as anonymous: the caller meant to be someone."""

    def __call__(self, request):
        if "HTTP_AUTHORIZATION" in request.META:
            return None
        if request.user.is_authenticated:
            return super().__call__(request)
        return AnonymousUser()


AUTH = [BearerToken(), WebSession()]
# Anyone, signed in or not: the handler reads `request.auth.is_authenticated`.
ANYONE = [BearerToken(), SignedInOrNot()]
