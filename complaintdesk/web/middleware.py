"""What the web pages answer for a refusal that can come from deep in the domain, in one place."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from complaintdesk.deadlines.services import NoActivePolicy
from complaintdesk.deadlines.statutory import UNCOVERED_YEAR, UncoveredYearError


class UncoveredYear:
    """With DEADLINE_UNCOVERED_YEARS=error, a deadline or filing lead time in a year no holiday source
    covers is refused: a 409 page saying what the regulator can do, not a server error (the API's
    `on_uncovered_year` says the same)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, UncoveredYearError):
            message = _(UNCOVERED_YEAR) % exception.params
            return render(request, "web/refused.html", {"message": message}, status=409)
        if isinstance(exception, NoActivePolicy):  # the API's `on_conflict` says the same
            return render(request, "web/refused.html", {"message": str(exception)}, status=409)
        return None
