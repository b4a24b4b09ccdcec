"""The fast INSERT of a new tip, under a fresh random tracking code.

Invariants:
- ``tip_insert_with_fresh_code`` is the only way a tip row is created. It must run inside the
  caller's transaction; each attempt takes its own savepoint, so a tracking code that is
  already taken rolls back only that INSERT, a new code is drawn, and the caller's
  transaction carries on. After ``CODE_ATTEMPTS`` collisions, or on any other integrity
  error, the error propagates.
- The raw statement is built only from the model's metadata (names quoted by the backend);
  every value is a parameter. It inserts exactly what ``save(force_insert=True)`` would.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.db import IntegrityError, connections, router, transaction
from django.db.models import signals

from binhyen.tips import permissions as tip_perms
from binhyen.tips.models import Tip

# A random code collides about once in 10^6 submissions at national scale; three draws in a
# row colliding means something else is wrong.
CODE_ATTEMPTS = 3


def tip_insert_with_fresh_code(tip: Tip) -> None:
    """Insert the new ``tip`` under a random tracking code; draw again on a collision.

    Keeps ``tip.tracking_code`` if one is set for the first attempt; every attempt runs in
    a savepoint of the caller's transaction (see the module docstring).
    """
    for attempt in range(1, CODE_ATTEMPTS + 1):
        if attempt > 1 or not tip.tracking_code:
            tip.tracking_code = tip_perms.tracking_code_new()
        try:
            with transaction.atomic():
                _tip_insert(tip)
        except IntegrityError as exc:
            if attempt == CODE_ATTEMPTS or not _is_code_collision(exc):
                raise
        else:
            return


# {database alias: (INSERT ... RETURNING id, the fields in column order), or None where the
# ORM must do it (see ``_tip_insert_statement``)}
class InsertStatement(NamedTuple):
    """``INSERT ... RETURNING id`` for one database, and the fields in column order."""

    sql: str
    fields: list[Any]


_TIP_INSERT_SQL: dict[str, InsertStatement | None] = {}


def _tip_insert_statement(alias: str) -> InsertStatement | None:
    conn = connections[alias]
    meta = Tip._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
    if (
        not conn.features.can_return_columns_from_insert
        or list(meta.db_returning_fields) != [meta.pk]
        or any(getattr(f, "generated", False) or f.has_db_default() for f in fields)
    ):
        return None
    quote = conn.ops.quote_name
    # Only names from the model's metadata go into the text; every value is a parameter.
    sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(  # noqa: S608
        quote(meta.db_table),
        ", ".join(quote(str(f.column)) for f in fields),
        ", ".join(["%s"] * len(fields)),
        quote(str(meta.pk.column)),
    )
    return InsertStatement(sql, fields)


def _tip_insert(tip: Tip) -> None:
    """INSERT a new ``tip`` exactly as ``tip.save(force_insert=True)`` would, but faster.

    The statement is built once per database from the model's fields; each call only runs
    every field's ``pre_save`` (timestamps) and ``get_db_prep_save`` (conversion), as the
    ORM does, and sends ``pre_save``/``post_save``. Django's insert compiler costs a public
    submission about as much as everything else the service does (38 columns). The ORM
    still does it where the new id cannot come back from the INSERT, or once the model
    gains generated or database-default columns.
    """
    alias = router.db_for_write(Tip, instance=tip)
    if alias not in _TIP_INSERT_SQL:
        _TIP_INSERT_SQL[alias] = _tip_insert_statement(alias)
    statement = _TIP_INSERT_SQL[alias]
    if statement is None or tip.pk is not None:
        tip.save(force_insert=True, using=alias)
        return
    sql, fields = statement
    conn = connections[alias]
    signals.pre_save.send(sender=Tip, instance=tip, raw=False, using=alias, update_fields=None)
    params = [f.get_db_prep_save(f.pre_save(tip, True), conn) for f in fields]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    tip.pk = row[0]
    tip._state.adding = False
    tip._state.db = alias
    signals.post_save.send(
        sender=Tip, instance=tip, created=True, update_fields=None, raw=False, using=alias
    )


def _is_code_collision(exc: IntegrityError) -> bool:
    return "tracking_code" in str(exc)
