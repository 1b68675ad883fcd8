"""Deadlines: the working-time calendar (pure Python) and the policies that turn it into due dates."""

__all__ = ["BusinessCalendar", "UncoveredYearError"]


def __getattr__(name):
    # Lazy, so that loading the Django app (models, migrations) does not load the holiday packages.
    if name in __all__:
        from complaintdesk.deadlines import calendar

        return getattr(calendar, name)
    raise AttributeError(name)
