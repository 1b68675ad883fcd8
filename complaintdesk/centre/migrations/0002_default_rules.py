from datetime import date, timedelta

from django.db import migrations

# The city centre that receives what no district bureau takes, and the centre's legal time limits of SAMR
# Order No. 20 of 2019 as amended in 2022, in force from 2020-01-01 (SPEC §10). Afterwards the regulator
# edits bureaus and adds rule versions in the back office (docs/centre.md: Order No. 121 of 2026).
BUREAU = {
    "name_zh": "市消费者权益保护中心（12315投诉举报中心）",
    "name_en": "City Consumer Protection Centre (12315)",
    "level": "city",
    "address": "1 Renmin Road, City (set the real address in the back office)",
    "phone": "12315",
}
VERSION = {
    "name": "SAMR Order No. 20 (2019, amended 2022)",
    "effective_from": date(2020, 1, 1),
    "law": "Consumer Rights Protection Law art. 46; SAMR Order No. 20 of 2019 "
    "(《市场监督管理投诉举报处理暂行办法》), amended by Orders No. 55 and 61 of 2022",
    "refusal_article": "art. 15",
    "termination_article": "art. 21",
}
RULES = [
    # (phase, clock, days, duration, label, citation)
    ("acceptance", "working_days", 7, None,
     "Accept or refuse within 7 working days of receipt",
     "Consumer Rights Protection Law art. 46; SAMR Order No. 20 art. 14"),
    ("mediation", "working_days", 45, None,
     "Mediation ends without agreement 45 working days after acceptance",
     "SAMR Order No. 20 art. 21(5); testing and appraisal time not counted (art. 20)"),
    ("termination_notice", "working_days", 7, None,
     "Tell both parties of a termination within 7 working days of the decision",
     "SAMR Order No. 20 art. 22"),
    ("report_decision", "working_days", 15, None,
     "Decide whether to open a case within 15 working days of receiving a report",
     "SAMR Order No. 20 art. 31; SAMR administrative penalty procedure rules art. 18"),
    ("enquiry_answer", "working_days", 7, None,
     "Answer an enquiry within 7 working days (the centre's service standard)",
     "Centre service standard (no statutory limit)"),
    ("rating", "wall", None, timedelta(days=15),
     "The consumer may rate the handling within 15 days of closing",
     "Centre service standard"),
]


def seed(apps, schema_editor):
    """A city centre and the default rule version with its rules, unless there are some already. Also run
    with the live app registry by tests whose flush removed them (as deadlines' 0004_default_policy)."""
    Bureau = apps.get_model("centre", "Bureau")
    RuleVersion = apps.get_model("centre", "RuleVersion")
    PolicyRule = apps.get_model("deadlines", "PolicyRule")
    if not Bureau.objects.filter(level="city").exists():
        Bureau.objects.create(**BUREAU)
    if RuleVersion.objects.exists():
        return
    version = RuleVersion.objects.create(**VERSION)
    PolicyRule.objects.bulk_create(
        [
            PolicyRule(version=version, phase=phase, priority=10, clock=clock, received_in="any", days=days,
                       duration=duration, label=label, citation=citation)
            for phase, clock, days, duration, label, citation in RULES
        ]
    )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("centre", "0001_initial"), ("deadlines", "0006_centre_duties")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
