from datetime import timedelta

from django.db import migrations

# The SPEC §3 table at the time of this migration; afterwards the regulator edits it in the admin.
# Before, the first filing created it inside its read of the active policy, and every filing failed once
# the only policy was made inactive.
NAME = "Online retail regulation (default)"
RULES = [
    # (phase, priority, clock, received_in, kind, duration, days, label)
    ("first_response", 10, "wall", "working_time", "", timedelta(hours=2), None,
     "Received in working time: first response within 2 hours"),
    ("first_response", 20, "wall", "outside_working_time", "", timedelta(hours=12), None,
     "Received outside working time: first response within 12 hours"),
    ("reply", 10, "business", "any", "quality_issue", timedelta(hours=4), None,
     "Quality problem: reply within 4 working hours"),
    ("resolution", 10, "working_days", "any", "", None, 7,
     "Resolution by the end of the 7th working day after receipt"),
]


def seed(apps, schema_editor):
    """Make sure a policy is active: a database that has one keeps it; one whose default policy was
    deactivated gets it back active; a new one gets the default with its rules.

    Also run with the live app registry: by `deadlines.services.ensure_default_policy` (set-up, tests) and
    by tests whose flush removed it, as complaints' 0002_default_categories is."""
    Policy = apps.get_model("deadlines", "Policy")
    PolicyRule = apps.get_model("deadlines", "PolicyRule")
    if Policy.objects.filter(is_active=True).exists():
        return
    policy, created = Policy.objects.get_or_create(name=NAME, defaults={"is_active": True})
    if not created:
        Policy.objects.filter(pk=policy.pk).update(is_active=True)
        return
    PolicyRule.objects.bulk_create(
        [
            PolicyRule(policy=policy, phase=phase, priority=priority, clock=clock, received_in=received_in,
                       kind=kind, duration=duration, days=days, label=label)
            for phase, priority, clock, received_in, kind, duration, days, label in RULES
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0003_policy_rule_kind_channel_choices")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
