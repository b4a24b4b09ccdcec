"""Search with and without diacritics: "tuyen truyen" finds "Tuyên truyền", "đ" matches "d".

One SQL function, ``binhyen_fold(text)``, folds a column the way ``core.text.fold`` folds
what the user typed (no tones or marks, đ → d, lower case):
- PostgreSQL: ``lower(unaccent(text))``, an ``IMMUTABLE`` function created by a core
  migration (with the ``unaccent`` and ``pg_trgm`` extensions) so that each searched column
  can carry a trigram index on ``binhyen_fold(column)``: ``LIKE '%word%'`` uses it.
- SQLite: ``core.text.fold`` itself, registered on every new connection.

``text_search(queryset, q, fields)`` keeps the rows where ``q`` (folded, spaces collapsed) is
found in at least one of ``fields``, as a phrase: "le van" finds "Lê Văn An", not "Văn Lê".
An empty query returns the queryset unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import migrations
from django.db.models import Func, Model, Q, QuerySet, TextField

from binhyen.core.text import fold

FUNCTION = "binhyen_fold"
MAX_WORDS = 12
MAX_LENGTH = 200
M = TypeVar("M", bound=Model)


class Fold(Func):
    """``binhyen_fold(expression)``: the expression folded like ``core.text.fold``."""

    function = FUNCTION
    output_field = TextField()


def search_words(q: str | None) -> list[str]:
    """Return the folded words of a query (at most ``MAX_WORDS``)."""
    return fold((q or "")[:MAX_LENGTH]).split()[:MAX_WORDS]


def text_search(
    queryset: QuerySet[M], q: str | None, fields: Sequence[str], *, or_: Q | None = None
) -> QuerySet[M]:
    """Keep the rows where ``q``, folded, appears as typed in one of ``fields`` — or that
    match ``or_`` (an exact code, say). An empty query keeps every row."""
    phrase = " ".join(search_words(q))
    if not phrase:
        return queryset.filter(or_) if or_ is not None and (q or "").strip() else queryset
    aliases = {f"_fold_{i}": Fold(field) for i, field in enumerate(fields)}
    condition = Q()
    for alias in aliases:
        condition |= Q(**{f"{alias}__contains": phrase})
    if or_ is not None:
        condition |= or_
    return queryset.alias(**aliases).filter(condition)


def _fold_or_none(value: Any) -> str | None:
    return None if value is None else fold(str(value))


def install_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: give SQLite connections ``binhyen_fold``."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION, 1, _fold_or_none, deterministic=True)


# PostgreSQL: the function (and what a trigram index needs). ``unaccent`` and ``pg_trgm`` are
# trusted extensions: a database owner may create them. The dictionary is named with its
# schema so the function is immutable whatever the caller's search_path.
POSTGRES_FUNCTION = f"""
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE OR REPLACE FUNCTION {FUNCTION}(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;
"""


def trigram_index_sql(table: str, column: str) -> tuple[str, str]:
    """Return (create, drop) SQL of the PostgreSQL trigram index on a folded column."""
    name = f"{table}_{column}_fold_trgm"[:63]
    create = (
        f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
        f'USING gin ({FUNCTION}("{column}") gin_trgm_ops)'
    )
    return create, f'DROP INDEX IF EXISTS "{name}"'


def postgres_only(*statements: str) -> Any:
    """Return a migration function running ``statements`` on PostgreSQL only."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return forwards


def trigram_indexes(table: str, columns: Sequence[str]) -> Any:
    """Return a migration operation adding (and on reverse dropping) trigram indexes."""
    pairs = [trigram_index_sql(table, c) for c in columns]
    return migrations.RunPython(
        postgres_only(*[create for create, _drop in pairs]),
        postgres_only(*[drop for _create, drop in pairs]),
        elidable=True,
    )
