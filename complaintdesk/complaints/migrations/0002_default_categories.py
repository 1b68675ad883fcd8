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
    """Also run with the live app registry by tests whose flush removed the categories: the model has
    `is_quality_problem` (0007) then, and the default quality category gets it as 0007 sets it."""
    Category = apps.get_model("complaints", "Category")
    flagged = any(f.name == "is_quality_problem" for f in Category._meta.get_fields())
    for position, (code, en, zh) in enumerate(CATEGORIES):
        defaults = {"name_en": en, "name_zh": zh, "position": position}
        if flagged:
            defaults["is_quality_problem"] = code == "quality"
        Category.objects.get_or_create(code=code, defaults=defaults)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
