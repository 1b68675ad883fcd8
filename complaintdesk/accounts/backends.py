"""The regulator's back office (the Django admin) belongs to every regulator officer (SPEC §1: policy and
calendar settings, shops, users, taxonomy, complaints): an officer needs no superuser to hand out
permissions one by one. Each admin page still decides what may be changed: the event log is read-only, and
the user pages keep superuser status, permissions and officers' accounts for superusers (accounts.admin).
A district bureau's officers have no back office: it is the city centre's (SPEC §11)."""

from django.contrib.auth.backends import BaseBackend

from complaintdesk.accounts.models import Role

# Our apps; Django's own groups and permissions stay the superuser's.
OFFICE_APPS = frozenset(
    {
        "accounts",
        "merchants",
        "centre",
        "complaints",
        "deadlines",
        "notify",
        "alerts",
        "promotions",
        "pledges",
        "stats",
    }
)


class RegulatorOfficers(BaseBackend):
    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return (
            user_obj.is_active
            and getattr(user_obj, "role", None) == Role.REGULATOR
            and not _of_a_district(user_obj)
            and app_label in OFFICE_APPS
        )

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return self.has_module_perms(user_obj, perm.partition(".")[0])


def _of_a_district(user_obj) -> bool:
    """A district bureau's officer (SPEC §11) works on its bureau's matters in the console only: the back
    office lists every bureau's complaints, shops and users, and its settings (policies, calendar, bureaus)
    are the city centre's. ("district" is `centre.BureauLevel.DISTRICT`, which this layer may not import.)"""
    bureau = getattr(user_obj, "bureau", None)
    return bureau is not None and bureau.level == "district"
