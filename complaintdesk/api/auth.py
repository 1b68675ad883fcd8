from ninja.security import HttpBearer, SessionAuth

from complaintdesk.accounts.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


# Clients send a bearer token; the web pages (htmx) use their session, with CSRF.
AUTH = [BearerToken(), SessionAuth()]
