"""Statements: a queryset's SQL compiled once per shape and run again with new values.

Building and compiling a Django queryset costs a fixed amount of Python — for the household list (a filter
per scope root, the ordering, the total as a subquery) about 0.5 ms, as much as PostgreSQL needs to answer
it. A page that every grid worker opens many times a day pays that on every request, although its SQL
differs only in the values: the scope roots, not the query's shape.

:class:`Statement` keeps the ORM as the definition. ``build(*values, **shape)`` returns the queryset; the
first call for a shape (how many values each argument holds, and the ``shape`` keywords, e.g. the page's
``LIMIT``) builds it from unique placeholder strings, compiles it and records where each placeholder
landed in the parameter list. Later calls only put the new values into those places and execute the SQL:
one cursor round trip, rows as dicts (the keys of the ``values()`` queryset).

A shape whose SQL cannot be reused that way is run through the queryset every time, so the answer never
depends on the cache:

a placeholder that the compiler transformed (``__startswith`` turns ``v`` into ``v%``, ``__icontains``
escapes and wraps it) or dropped. The columns' converters (decimals on SQLite, dates and times, JSON, an
annotation's output field) are kept from the compile and applied to every row, as the ORM does.

``build`` must return a ``values()`` queryset and take its values as sequences of strings, integers or
aware datetimes; the kinds are part of the shape. A string placeholder contains NUL, which no stored text
holds (PostgreSQL rejects it); an integer one is a large negative number and a datetime one a moment in
the year 1001, neither of which a constant of ours is. A backend that turns datetimes into strings when it
compiles (SQLite) makes such a shape unreusable, and it runs through the queryset.

Django version guard. The reuse relies on how the compiler lays out its parameters and converters, which
Django does not promise between feature releases. It is enabled only on the release the parity tests
(``tests/test_statements.py``, ``tests/workorders/test_visibility.py``) last ran on,
:data:`VERIFIED_DJANGO`; on any other release every call runs its queryset (correct, only slower) until
the tests pass there and the constant is moved.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Sequence

import django
from django.db import connections
from django.db.models import QuerySet

VERIFIED_DJANGO = (5, 2)
ENABLED = tuple(django.VERSION[:2]) == VERIFIED_DJANGO
_UNCACHEABLE = object()
_FAR_PAST = datetime.datetime(1001, 1, 1, tzinfo=datetime.UTC)


def _placeholder(value, i: int, j: int):
    if isinstance(value, str):
        return f"\x00{i}.{j}\x00"
    if isinstance(value, datetime.datetime):
        return _FAR_PAST + datetime.timedelta(microseconds=i * 1000 + j)
    if isinstance(value, int) and not isinstance(value, bool):
        return -(7 * 10**15 + i * 1000 + j)
    raise TypeError(f"a statement takes strings, integers and datetimes, not {type(value).__name__}")


class Statement:
    def __init__(self, build: Callable[..., QuerySet], *, size: int = 256):
        self.build = build
        self.size = size
        self._compiled: dict = {}
        self._lock = threading.Lock()

    def rows(self, *values: Sequence[str | int | datetime.datetime], **shape) -> list[dict]:
        if not ENABLED:
            return list(self.build(*values, **shape))
        kinds = tuple(tuple(type(v).__name__ for v in vs) for vs in values)
        key = (kinds, tuple(sorted(shape.items())))
        entry = self._compiled.get(key)
        if entry is None:
            entry = self._compile(key, values, shape)
        if entry is _UNCACHEABLE:
            return list(self.build(*values, **shape))
        using, sql, constants, slots, names, converters = entry
        flat = [v for vs in values for v in vs]
        params = [constants[i] if slot < 0 else flat[slot] for i, slot in enumerate(slots)]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not converters:
            return [dict(zip(names, row, strict=True)) for row in rows]
        out = []
        for row in rows:
            row = list(row)
            for pos, (funcs, expression) in converters:
                value = row[pos]
                for convert in funcs:
                    value = convert(value, expression, connection)
                row[pos] = value
            out.append(dict(zip(names, row, strict=True)))
        return out

    def _compile(self, key, values, shape: dict):
        placeholders = [[_placeholder(v, i, j) for j, v in enumerate(vs)] for i, vs in enumerate(values)]
        slot_of = {p: k for k, p in enumerate(p for ps in placeholders for p in ps)}
        qs = self.build(*placeholders, **shape)
        query = qs.query
        compiler = query.get_compiler(using=qs.db)
        sql, params = compiler.as_sql()
        slots = [slot_of.get(p, -1) if isinstance(p, str | int | datetime.datetime) and not isinstance(p, bool)
                 else -1 for p in params]
        converters = compiler.get_converters([col for col, _sql, _alias in compiler.select])
        entry: object = (qs.db, sql, list(params), slots,
                         [*query.extra_select, *query.values_select, *query.annotation_select],
                         sorted(converters.items()))
        stray = any(isinstance(p, str) and "\x00" in p and p not in slot_of for p in params)
        if stray or set(slots) - {-1} != set(slot_of.values()) or not query.values_select:
            entry = _UNCACHEABLE
        with self._lock:
            if len(self._compiled) >= self.size:
                self._compiled.clear()  # shapes are few; a full cache means something varies that should not
            self._compiled[key] = entry
        return entry
