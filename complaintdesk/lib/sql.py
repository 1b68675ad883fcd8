"""Model rows read and written without the ORM's query compiler, for the hot paths that need it: filing a
complaint and the token check of every API request (the intake benchmark, docs/benchmarks.md); the bulk
import builds its INSERT statements here too. Who may import this module is an allow-list
(`lib/tests/test_sql_fence.py`); docs/decisions.md ("The filing hot path") has the figures.

Why: compiling a queryset costs 0.3–0.45 ms of CPU (`filter(...).first()`), an INSERT through `create()`
about 0.2 ms, while SQLite runs either in about 0.01 ms; a filing makes a dozen of them. These helpers
build each statement's text once per model (and column set), adapt values with the fields' own
`pre_save` / `get_db_prep_save` and convert what comes back with the backend's and the fields'
converters, exactly as the ORM does, so the instances are ordinary model instances. The WHERE clause is
SQL written by the caller, with `%s` placeholders; everything else uses the ORM.

Writes send no signals, so a model written here is declared with `writes(...)` by the module that writes
it; `insert`, `update` and `insert_statement` refuse an undeclared model, and a test fails when a signal
receiver is connected to a declared one.
"""

from collections.abc import Sequence
from datetime import date, datetime
from functools import cache

from django.db import connection
from django.db.models import Model

_WRITTEN: set[type[Model]] = set()


def writes(*models: type[Model]) -> None:
    """Declare that the calling module writes rows of `models` here (without the ORM's signals)."""
    _WRITTEN.update(models)


def written_models() -> frozenset[type[Model]]:
    return frozenset(_WRITTEN)


def _declared(model: type[Model]) -> None:
    if model not in _WRITTEN:
        raise TypeError(f"{model.__name__} is written without signals: declare it with lib.sql.writes()")


@cache
def _reader(model: type[Model], vendor: str) -> tuple[str, list[str], list[tuple[int, list, object]]]:
    fields = model._meta.concrete_fields
    q = connection.ops.quote_name
    table = model._meta.db_table
    head = f"SELECT {', '.join(f'{q(table)}.{q(f.column)}' for f in fields)} FROM {q(table)}"
    converters = []
    for index, field in enumerate(fields):
        col = field.get_col(table)
        functions = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if functions:
            converters.append((index, functions, col))
    return head, [f.attname for f in fields], converters


def adapt(value):
    """A parameter as the ORM would send it: dates and times in the backend's own form (SQLite keeps
    them as text, which must compare as the stored text does)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


def select(model: type[Model], where: str, params: Sequence = (), suffix: str = "") -> list:
    """Instances of `model` from `SELECT <every column> FROM <its table> WHERE <where> <suffix>`."""
    head, attnames, converters = _reader(model, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(f"{head} WHERE {where} {suffix}", [adapt(p) for p in params])
        rows = cursor.fetchall()
    out = []
    for row in rows:
        if converters:
            row = list(row)
            for index, functions, col in converters:
                value = row[index]
                for convert in functions:
                    value = convert(value, col, connection)
                row[index] = value
        out.append(model.from_db(connection.alias, attnames, row))
    return out


def select_one(model: type[Model], where: str, params: Sequence = ()) -> Model | None:
    found = select(model, where, params, suffix="LIMIT 1")
    return found[0] if found else None


def insert_statement(
    model: type[Model], rows: int = 1, with_pk: bool = False, returning: bool = False
) -> tuple[str, list]:
    """(`INSERT INTO <table> (<every concrete column>) VALUES (…)` for `rows` rows, those fields in order);
    the primary key column only `with_pk`, `RETURNING` it when `returning`. Also the bulk import's."""
    _declared(model)
    return _insert_statement(model, connection.vendor, rows, with_pk, returning)


@cache
def _insert_statement(model, vendor: str, rows: int, with_pk: bool, returning: bool) -> tuple[str, list]:
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    q = connection.ops.quote_name
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) VALUES "
    sql += ", ".join([one] * rows)
    if returning:
        sql += f" RETURNING {q(model._meta.pk.column)}"
    return sql, fields


def insert(objs: Sequence[Model]) -> None:
    """INSERT unsaved instances of one model in one statement; sets their primary keys, as `save()` and
    `bulk_create` would (auto_now(_add) fields filled by `pre_save`; no signals are sent)."""
    if not objs:
        return
    model = type(objs[0])
    _declared(model)
    # A key the database does not make (a UUID from the field's default) goes in with the row.
    db_makes_key = model._meta.pk.db_returning
    sql, fields = insert_statement(model, len(objs), with_pk=not db_makes_key, returning=db_makes_key)
    params = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for obj in objs for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchall() if db_makes_key else [(obj.pk,) for obj in objs]
    for obj, (pk,) in zip(objs, keys, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


@cache
def _updater(model: type[Model], vendor: str, names: tuple[str, ...]) -> tuple[str, list]:
    fields = [model._meta.get_field(name) for name in names]
    q = connection.ops.quote_name
    sets = ", ".join(f"{q(f.column)} = %s" for f in fields)
    return f"UPDATE {q(model._meta.db_table)} SET {sets} WHERE {q(model._meta.pk.column)} = %s", fields


def update(obj: Model, fields: Sequence[str]) -> None:
    """`obj.save(update_fields=fields)` without the compiler (and without signals)."""
    _declared(type(obj))
    sql, model_fields = _updater(type(obj), connection.vendor, tuple(fields))
    params = [f.get_db_prep_save(f.pre_save(obj, add=False), connection) for f in model_fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, obj.pk])
