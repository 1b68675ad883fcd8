"""The dashboard's table of each bureau's centre figures shows every cell as the template of a cell showed it
(a share in per cent, yuan with its sign, "–" for none, numbers as the language writes them), now made once in
Python (`web.centre_dashboard.shown`) instead of a template included for each of its hundreds of cells."""

import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from complaintdesk.centre.tests.bureau_world import world_fixture  # noqa: F401 (the `world` fixture)
from complaintdesk.web.centre_dashboard import shown

pytestmark = pytest.mark.django_db

# The template each cell was (web/regulator/_centre_value.html until issue 15).
CELL = Template(
    '{% load i18n web %}{% if v is None %}–{% elif unit == "share" %}{{ v|percent }}{% elif unit == "yuan" %}'
    "{% blocktranslate with amount=v %}¥{{ amount }}{% endblocktranslate %}{% else %}{{ v }}{% endif %}"
)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "value, unit",
    [(None, "count"), (None, "share"), (0, "count"), (12345, "count"), (0.8333, "share"), (1, "share"),
     (7.5, "days"), (3, "days"), (4.67, "score"), ("120.50", "yuan"), (0, "yuan")],
)  # fmt: skip
def test_a_cell_is_shown_as_the_cells_template_showed_it(language, value, unit):
    v = Decimal(value) if unit == "yuan" else value
    with translation.override(language):
        assert shown(v, unit) == CELL.render(Context({"v": v, "unit": unit}))


def test_the_city_officers_table_shows_each_bureaus_figures(world):
    client = Client()
    client.force_login(world.city_officer)
    answer = client.get(reverse("web:dashboard"))
    rows = answer.context["centre"]["by_bureau"]
    table = answer.content.decode().split('id="table-centre-bureaus"')[1].split("</table>")[0]
    for r in rows:
        row = re.search(rf'<tr data-key="{re.escape(r["code"])}">(.*?)</tr>', table).group(1)
        cells = re.findall(r'<td class="num">(.*?)</td>', row)
        expected = [CELL.render(Context({"v": v, "unit": r["unit"]})) for v in (*r["values"], r["total"])]
        assert cells == expected, r["code"]
    assert len(rows) > 20
