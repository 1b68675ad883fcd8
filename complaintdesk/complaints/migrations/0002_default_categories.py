from django.db import migrations

# The SPEC §2 taxonomy at the time of this migration; afterwards the regulator edits it in the admin.
CATEGORIES = [
    ("quality", "Quality", "质量"),
    ("returns_refunds", "Returns and refunds", "退换货与退款"),
    ("delivery", "Delivery", "物流配送"),
    ("false_promotion", "False promotion", "虚假宣传"),
    ("price_information", "Price information", "价格信息"),
    ("invoices_receipts", "Invoices and receipts", "发票与凭证"),
    ("after_sales_repair", "After-sales repair", "售后维修"),
    ("contract_fees", "Contract and fees", "合同与费用"),
    ("other", "Other", "其他"),
]


def create(apps, schema_editor):
    Category = apps.get_model("complaints", "Category")
    for position, (code, en, zh) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code, defaults={"name_en": en, "name_zh": zh, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
