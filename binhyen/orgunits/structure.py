"""The map's structure version, and the signal sent when the structure changes.

A unit's place in the tree (``path``, ``parent``), its validity (``valid_to``) and every
``Lineage`` edge decide where a recorded figure counts. Whenever one of them changes the
counter in ``StructureVersion`` moves on, in the same transaction:

- single saves and deletes, through the model signals connected here (a unit's save counts
  only when one of those fields differs from what was loaded, so editing a village's name
  does not count);
- bulk writes (the map importer), which call ``structure_changed`` themselves.

``structure_changed`` also sends ``map_structure_changed`` so apps holding data derived from
the map can rebuild it (the indicators app rebuilds its rollups).
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import Signal, receiver

from binhyen.orgunits.models import Lineage, OrgUnit, StructureVersion

STRUCTURAL_FIELDS = ("path", "parent_id", "valid_to")

# Sent (with ``version``) after bulk structure changes, inside the writing transaction.
map_structure_changed = Signal()


def current_version() -> int:
    """Return the structure version (0 before any change was recorded)."""
    row = StructureVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return int(row or 0)


def bump() -> int:
    """Move the structure version on (in the caller's transaction) and return it."""
    table = StructureVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET version = version + 1 WHERE id = 1")  # noqa: S608
        if cursor.rowcount == 0:
            StructureVersion.objects.create(pk=1, version=1)
            return 1
    return current_version()


def structure_changed(*, sender: Any = None) -> int:
    """Record a bulk structure change and tell the apps that derive data from the map."""
    version = bump()
    map_structure_changed.send(sender=sender or OrgUnit, version=version)
    return version


def _structure_of(unit: OrgUnit) -> tuple[Any, ...]:
    # Runs for every unit loaded (post_init): one C-level pass over the field names.
    return tuple(map(unit.__dict__.get, STRUCTURAL_FIELDS))


@receiver(post_init, sender=OrgUnit)
def _remember_structure(sender: Any, instance: OrgUnit, **kwargs: Any) -> None:
    instance.__dict__["_structure"] = _structure_of(instance)


@receiver(post_save, sender=OrgUnit)
def _unit_saved(sender: Any, instance: OrgUnit, created: bool, **kwargs: Any) -> None:
    now = _structure_of(instance)
    # A new open unit has no figures yet: where figures count does not change.
    changed = instance.valid_to is not None if created else now != instance.__dict__["_structure"]
    instance.__dict__["_structure"] = now
    if changed:
        bump()


@receiver(post_delete, sender=OrgUnit)
@receiver(post_save, sender=Lineage)
@receiver(post_delete, sender=Lineage)
def _lineage_changed(sender: Any, **kwargs: Any) -> None:
    bump()
