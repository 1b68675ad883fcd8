"""Deadlines: the working-time calendar (pure Python) and the policies that turn it into due dates."""

from complaintdesk.deadlines.calendar import BusinessCalendar, UncoveredYearError

__all__ = ["BusinessCalendar", "UncoveredYearError"]
