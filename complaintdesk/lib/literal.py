"""The condition of a partial index, written into a query as literals.

SQLite uses a partial index only for a query whose WHERE clause holds each term of the index's own WHERE
literally: `status IN ('breached', 'open')` matches it, `status IN (%s, %s)` does not (a bound parameter
could be any value). PostgreSQL proves the implication from literals as well. `literal(q)` is `q` with its
values inlined into the SQL instead of bound, and the ORM still names the columns, so it holds inside a
subquery (`U0.status`) as well as at the top.

Only for values of our own code (a model's choices), never for what a request sent.
"""

from django.db.models import CharField, Q, Value


class Literal(Value):
    """A string written into the SQL as a quoted literal, not as a parameter."""

    def __init__(self, text: str):
        if not isinstance(text, str):
            raise TypeError(f"only strings are inlined, not {type(text).__name__}")
        super().__init__(text, output_field=CharField())

    def as_sql(self, compiler, connection):
        return "'" + self.value.replace("'", "''") + "'", []


def literal(q: Q) -> Q:
    """`q` with each string value, alone or in a list, written as a literal (a boolean such as `isnull`'s
    has no parameter anyway)."""
    children = []
    for child in q.children:
        if isinstance(child, Q):
            children.append(literal(child))
            continue
        name, value = child
        if isinstance(value, str):
            value = Literal(value)
        elif isinstance(value, list | tuple):
            value = [Literal(v) for v in value]
        children.append((name, value))
    return Q(*children, _connector=q.connector, _negated=q.negated)
