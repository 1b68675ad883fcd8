"""Domain errors that the API and the web turn into 4xx answers."""


class Conflict(Exception):
    """The request contradicts what is stored (HTTP 409)."""


class FieldError(Exception):
    """A value that passed type checks but is wrong for the domain (HTTP 422 naming the field)."""

    def __init__(self, field: str, reason: str, also: tuple[tuple[str, str], ...] = ()):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        # Further (field, reason) pairs refused by the same check: the API lists them all, a form the first.
        self.also = also


class AppendOnlyError(RuntimeError):
    """An event log row (complaint, filing, service-information revision) was to be changed or deleted."""
