"""The dashboard's table of the bureaus side by side (`stats.bureaus.compared`) labels its rows once and reads
each bureau's values from its figures by the row's code (`bureaus.value_at`): every compared value is the one
the bureau's own labelled rows (`centre.rows`, its download) give under that code."""

import pytest

from complaintdesk.stats import bureaus, centre
from complaintdesk.stats.models import ALL_BUREAUS
from complaintdesk.stats.tests import centre_data as cd
from complaintdesk.stats.tests.test_centre_queries import NOW, SEPTEMBER, _more_bureaus

pytestmark = pytest.mark.django_db


def test_each_compared_value_is_the_bureaus_own_row(people):
    rows = cd.september(people)
    ids = [rows["city"].pk, rows["district"].pk, *(b.pk for b in _more_bureaus(people, 2))]
    figures = centre.figures_of(SEPTEMBER, [ALL_BUREAUS, *ids], now=NOW)
    each = [figures[pk] for pk in ids]
    table = bureaus.compared(figures[ALL_BUREAUS], each)
    assert {r["code"] for r in table} >= set(bureaus.COMPARED) | {"transfers_in", "transfers_out"}
    own = [{row.code: row.value for row in centre.rows(f)} for f in each]
    for r in table:
        assert r["values"] == [values[r["code"]] for values in own], r["code"]
    received = next(r for r in table if r["code"] == "received.total")
    assert received["total"] > 0 and any(received["values"])  # figures, not only zeros
