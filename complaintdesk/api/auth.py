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


AUTH = [BearerToken(), WebSession()]
