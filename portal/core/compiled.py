"""A query run on every request, compiled by the ORM once per process instead of once per run.

Compiling ``User.objects.select_related("customer").get(pk=…)`` cost the portal about as much CPU
as running it (docs/performance.md): for the few queries every signed-in page runs, the SQL, the
column converters and the related-object populators are kept, and each run only executes and
builds the model instances, the way the ORM's own ``ModelIterable`` does.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

_PLACEHOLDER = 0


@dataclass(frozen=True)
class _Compiled:
    sql: str
    model: type[Model]
    init_list: list[str]
    start: int
    end: int
    converters: dict
    populators: list


class CompiledLookup:
    """``first(value)``: the first row of ``queryset_for(value)`` as a model instance, or None.

    ``queryset_for`` takes the one parameter (called with ``0`` to compile) and answers a plain
    model queryset (``select_related`` allowed, no annotations) whose only SQL parameter it is.
    """

    def __init__(self, queryset_for: Callable[[object], QuerySet]) -> None:
        self._queryset_for = queryset_for
        self._compiled: dict[str, _Compiled] = {}

    def first(self, value: object, using: str = "default") -> Model | None:
        compiled = self._compiled.get(using) or self._compile(using)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, [value])
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        for position, (converters, expression) in compiled.converters.items():
            converted = row[position]
            for converter in converters:
                converted = converter(converted, expression, connection)
            row[position] = converted
        instance = compiled.model.from_db(using, compiled.init_list, row[compiled.start:compiled.end])
        for populator in compiled.populators:
            populator.populate(row, instance)
        return instance

    def _compile(self, using: str) -> _Compiled:
        queryset = self._queryset_for(_PLACEHOLDER).using(using).order_by()[:1]
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        if list(params) != [_PLACEHOLDER] or compiler.annotation_col_map:
            raise ImproperlyConfigured(f"CompiledLookup needs exactly one parameter and no annotations: {sql}")
        klass_info, select = compiler.klass_info, compiler.select
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        compiled = _Compiled(
            sql=sql, model=klass_info["model"],
            init_list=[column[0].target.attname for column in select[start:end]], start=start, end=end,
            converters=compiler.get_converters([column[0] for column in select[:compiler.col_count]]),
            populators=get_related_populators(klass_info, select, using),
        )
        self._compiled[using] = compiled
        return compiled


class CompiledInsert:
    """``insert(instance)``: one row stored, or False when it conflicts with a row stored already on
    ``unique_fields`` (``INSERT … ON CONFLICT (…) DO NOTHING RETURNING`` the key, whose SQL is built
    once per process): for the one insert a hot endpoint makes (the webhook receiver's event).
    Values go through each field's ``pre_save`` and ``get_db_prep_save`` as in ``Model.save``."""

    def __init__(self, model: type[Model], *, unique_fields: tuple[str, ...]) -> None:
        self._model = model
        self._unique_fields = unique_fields
        self._built: dict[str, tuple[str, list]] = {}

    def insert(self, instance: Model, using: str = "default") -> bool:
        connection = connections[using]
        sql, fields = self._built.get(using) or self._build(using)
        values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            row = cursor.fetchone()
        if row is None:
            return False
        instance.pk = row[0]
        instance._state.adding, instance._state.db = False, using
        return True

    def _build(self, using: str) -> tuple[str, list]:
        meta, quote = self._model._meta, connections[using].ops.quote_name
        fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
        conflict = ", ".join(quote(meta.get_field(name).column) for name in self._unique_fields)
        columns = ", ".join(quote(field.column) for field in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        # Names from the model, quoted; every value is a bound parameter.
        sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608
        sql += f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {quote(meta.pk.column)}"
        self._built[using] = (sql, fields)
        return sql, fields
