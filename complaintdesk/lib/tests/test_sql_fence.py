"""lib.sql stays fenced (docs/decisions.md, "The filing hot path"): only the modules of the filing path, the
token check and the bulk import use it, and no signal receiver listens to a model it writes (its writes
send none, so such a receiver would silently miss them)."""

import ast
import importlib
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db.models import signals

from complaintdesk.deadlines.models import SHOP_PHASES, Deadline
from complaintdesk.lib import sql
from complaintdesk.stats import signals as stats_signals

PACKAGE = Path(__file__).resolve().parents[2]  # complaintdesk/

# Each entry: the module (or package) and what it does with lib.sql. Add one only with a measured gain.
ALLOWED = {
    "complaintdesk.lib.tests": "its tests (rows read and written as the ORM does)",
    "complaintdesk.accounts.models": "the token check of every API request (ApiToken.authenticate)",
    "complaintdesk.complaints.intake": "filing: the shop and the category",
    "complaintdesk.complaints.services": "filing: the complaint, its reference, first event, idempotency key",
    "complaintdesk.deadlines.services": "filing: the active policy's rules; the deadline rows",
    "complaintdesk.promotions.linking": "filing: the shop's promotion filings around the order date",
    "complaintdesk.notify.outbox": "filing: the shop's fan-out notice row",
    "complaintdesk.stats.rollups": "filing and import: dates adapted for its own upserts",
    "complaintdesk.complaints.importing": "the bulk import's INSERT statements",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports_sql(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name == "complaintdesk.lib.sql" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom):
            if node.module == "complaintdesk.lib.sql":
                return True
            if node.module == "complaintdesk.lib" and any(a.name == "sql" for a in node.names):
                return True
    return False


def _allowed(module: str) -> bool:
    return any(module == a or module.startswith(a + ".") for a in ALLOWED)


def _importers() -> set[str]:
    return {
        _module_name(path)
        for path in PACKAGE.rglob("*.py")
        if _imports_sql(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    }


def test_only_the_allow_listed_modules_import_lib_sql():
    outside = sorted(m for m in _importers() if not _allowed(m))
    assert not outside, f"these modules import lib.sql without a measured need (see ALLOWED): {outside}"


def test_the_allow_list_names_no_module_that_no_longer_imports_it():
    importers = _importers()
    stale = [a for a in ALLOWED if not any(m == a or m.startswith(a + ".") for m in importers)]
    assert not stale, f"drop these from ALLOWED: {stale}"


def test_the_scan_sees_every_form_of_the_import():
    for source in ("from complaintdesk.lib import sql", "import complaintdesk.lib.sql",
                   "from complaintdesk.lib.sql import insert", "from complaintdesk.lib import errors, sql"):  # fmt: skip
        assert _imports_sql(ast.parse(source)), source
    assert not _imports_sql(ast.parse("from complaintdesk.lib import sqlite"))


WATCHED = (signals.pre_save, signals.post_save, signals.pre_delete, signals.post_delete, signals.m2m_changed)


# A receiver that provably ignores what lib.sql writes, with the reason (and a test below that shows it).
IGNORES_OUR_WRITES = {
    ("Deadline", "pre_save"): "stats.signals.deadline_rule_moved acts only on an existing row (pk set); "
    "lib.sql only inserts deadlines (set_deadlines)",
    ("Deadline", "post_save"): "stats.signals.centre_duty_changed acts only on the centre's duties; lib.sql "
    "only inserts a shop's deadlines (set_deadlines, from the shops' policy)",
    ("Deadline", "post_delete"): "stats.signals.centre_duty_changed, as above; lib.sql deletes nothing",
    ("Complaint", "pre_save"): "centre.signals._file_complaint acts only on a new complaint (its bureau in "
    "charge); the filing that lib.sql inserts calls jurisdiction.file itself (complaints.services), as the "
    "importer sets the bureau (importing.write)",
}


def test_no_signal_receiver_listens_to_a_model_lib_sql_writes():
    for module in ALLOWED:
        if module != "complaintdesk.lib.tests":
            importlib.import_module(module)  # each declares the models it writes (sql.writes)
    written = sql.written_models()
    assert {m.__name__ for m in written} >= {"Complaint", "ComplaintEvent", "Deadline", "OutboxMessage"}
    heard = [
        f"{model.__name__}: {name}"
        for model in written
        for name, signal in zip(
            ("pre_save", "post_save", "pre_delete", "post_delete", "m2m_changed"), WATCHED, strict=True
        )
        if signal.has_listeners(model) and (model.__name__, name) not in IGNORES_OUR_WRITES
    ]
    assert not heard, f"lib.sql writes these models without signals, yet receivers listen: {heard}"


def test_the_signal_check_sees_a_receiver():
    model = next(iter(sql.written_models()))

    def receiver(**kwargs):
        pass

    signals.post_save.connect(receiver, sender=model)
    try:
        assert signals.post_save.has_listeners(model)
    finally:
        signals.post_save.disconnect(receiver, sender=model)


def test_an_undeclared_model_cannot_be_written():
    with pytest.raises(TypeError, match="declare it"):
        sql.insert_statement(Group)


def test_the_deadline_receiver_ignores_a_new_row(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        stats_signals.deadline_rule_moved(sender=Deadline, instance=Deadline(rule_label="moved"))


def test_the_centre_duty_receiver_ignores_a_shops_deadline(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        for phase in SHOP_PHASES:
            stats_signals.centre_duty_changed(sender=Deadline, instance=Deadline(phase=phase, complaint_id=1))
