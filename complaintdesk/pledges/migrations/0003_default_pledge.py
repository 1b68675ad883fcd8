from django.db import migrations
from django.utils import timezone

# SPEC §5: the default version of the online-retail customer-service pledge, published from the start so
# that every shop is asked to sign it. Later versions are the regulator's (API or admin).
TITLE = "Online retail customer-service pledge / 网络零售客户服务承诺"
COMMITMENTS = [
    (1, "We proactively offer repair, replacement and return.", "主动提供修理、更换、退货服务。"),
    (2, "We issue receipts, invoices or other purchase documents.", "出具发票等购货凭证或者服务单据。"),
    (3, "We keep price information true and accurate.", "确保价格信息真实、准确。"),
    (4, "We do not engage in false promotion.", "不进行虚假宣传。"),
    (5, "We publish our customer-service contacts.", "公开客户服务联系方式。"),
    (6, "We designate a person to coordinate 12315 complaints.", "指定专人对接12315投诉处理。"),
    (7, "We respond to complaints within the deadlines.", "在规定时限内响应和处理投诉。"),
    (8, "We file large promotions in advance with an emergency plan.", "大型促销活动提前报备并制定应急预案。"),
]


def create(apps, schema_editor):
    PledgeVersion = apps.get_model("pledges", "PledgeVersion")
    Commitment = apps.get_model("pledges", "Commitment")
    if PledgeVersion.objects.filter(number=1).exists():
        return
    version = PledgeVersion.objects.create(number=1, title=TITLE, published_at=timezone.now())
    Commitment.objects.bulk_create(
        Commitment(version=version, number=n, text_en=en, text_zh=zh) for n, en, zh in COMMITMENTS
    )


class Migration(migrations.Migration):
    dependencies = [("pledges", "0002_pledgeversion_published_by")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
