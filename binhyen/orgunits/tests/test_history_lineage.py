"""Tests for ``binhyen.orgunits.history``: where a closed unit's records continue."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.orgunits import history
from binhyen.orgunits.models import Lineage, LineageKind, OrgUnit, Subkind, UnitKind
from binhyen.orgunits.tests.factories import (
    CommuneFactory,
    OrgUnitFactory,
    ProvinceFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

CLOSED = date(2025, 6, 30)
REFORM = date(2025, 7, 1)


def _link(old: Any, new: Any, kind: str = LineageKind.MERGE, **kwargs: object) -> None:
    Lineage.objects.create(
        predecessor=old, successor=new, kind=kind, effective_date=REFORM, **kwargs
    )


@pytest.fixture
def world() -> dict[str, Any]:
    """An old province with an old district and three old communes, and the new map.

    Old A and old B merged into new X; old C split into Y (default) and Z; an older commune
    D merged into A in 2020 (a chain D → A → X).
    """
    new_province = ProvinceFactory(name="Tỉnh Mới")
    other_province = ProvinceFactory(name="Tỉnh Khác")
    old_province = ProvinceFactory(code="L98", name="Tỉnh Cũ", valid_to=CLOSED)
    district = OrgUnitFactory(
        code="L981",
        name="Huyện Cũ",
        kind=UnitKind.DISTRICT,
        subkind=Subkind.HUYEN,
        parent=old_province,
        valid_to=CLOSED,
    )
    units: dict[str, Any] = {
        "new_province": new_province,
        "other_province": other_province,
        "old_province": old_province,
        "x": CommuneFactory(parent=new_province, name="Xã Mới X", valid_from=REFORM),
        "y": CommuneFactory(parent=new_province, name="Xã Mới Y", valid_from=REFORM),
        "z": CommuneFactory(parent=other_province, name="Xã Mới Z", valid_from=REFORM),
    }
    for key in ("a", "b", "c"):
        units[key] = CommuneFactory(
            code=f"L98{key}", parent=district, name=f"Xã Cũ {key.upper()}", valid_to=CLOSED
        )
    units["d"] = CommuneFactory(
        code="L98d", parent=district, name="Xã Cũ D", valid_to=date(2019, 12, 31)
    )
    units["village"] = VillageFactory(parent=units["a"], valid_to=CLOSED)
    _link(old_province, new_province)
    _link(units["a"], units["x"])
    _link(units["b"], units["x"])
    _link(units["c"], units["y"], LineageKind.SPLIT, is_default=True)
    _link(units["c"], units["z"], LineageKind.SPLIT, is_default=False)
    Lineage.objects.create(
        predecessor=units["d"],
        successor=units["a"],
        kind=LineageKind.MERGE,
        effective_date=date(2020, 1, 1),
    )
    return units


def test_successors_follow_merges_splits_and_chains(world: dict[str, Any]) -> None:
    # given the world's lineage
    # when the successors are asked for
    # then merges give the new commune, splits the default first, chains reach today
    assert history.successors_of(world["a"]) == [world["x"]]
    assert history.successors_of(world["c"]) == [world["y"], world["z"]]
    assert history.successors_of(world["c"], default_only=True) == [world["y"]]
    assert history.successors_of(world["d"]) == [world["x"]]
    # an old village without its own edges goes where its commune went
    assert history.successors_of(world["village"]) == [world["x"]]
    # an open unit is its own successor
    assert history.successors_of(world["x"]) == [world["x"]]


def test_successor_map_in_bulk(world: dict[str, Any]) -> None:
    ids = [world[k].pk for k in ("a", "b", "c", "d", "x")]
    mapping = history.successor_map(ids, default_only=True)
    assert mapping == {
        world["a"].pk: [world["x"].pk],
        world["b"].pk: [world["x"].pk],
        world["c"].pk: [world["y"].pk],
        world["d"].pk: [world["x"].pk],
        world["x"].pk: [world["x"].pk],
    }


def test_predecessor_ids_of_a_scope(world: dict[str, Any]) -> None:
    # given a scope on new commune X
    found = history.predecessor_ids([world["x"].path])
    # then A, B and the chain's D are its history, the old village under A too
    assert {world["a"].pk, world["b"].pk, world["d"].pk, world["village"].pk} <= found
    assert world["c"].pk not in found
    # and a scope on the new province reaches the old province and its district
    province = history.predecessor_ids([world["new_province"].path])
    assert world["old_province"].pk in province
    assert world["c"].pk in province


def test_predecessor_ids_of_the_whole_map_in_three_queries(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, django_assert_max_num_queries: Any
) -> None:
    # given the country as the scope, its history read with one path range per subtree
    root = world["new_province"].parent
    by_ranges = history.predecessor_ids([root.path])
    # when the subtrees are matched in Python instead (a national scope has many)
    monkeypatch.setattr(history, "MAX_ROOT_RANGES", 0)
    with django_assert_max_num_queries(3):
        in_python = history.predecessor_ids([root.path])
    # then both give the same units: every predecessor, the old village under A included
    assert in_python == by_ranges
    expected = {world[k].pk for k in ("a", "b", "c", "d", "village", "old_province")}
    assert expected <= in_python
    assert world["x"].pk not in in_python


def test_record_dated_after_closure_names_the_successor(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        history.check_record_date(world["a"], date(2025, 8, 1), field="date")
    message = caught.value.message_dict["date"][0]
    assert "Xã Mới X" in message
    assert "01/07/2025" in message
    # a date inside the lifetime passes
    history.check_record_date(world["a"], date(2024, 5, 1))
    history.check_record_date(world["a"], None)


def test_record_dated_before_creation_names_the_predecessors(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        history.check_record_date(world["x"], date(2024, 5, 1), field="on")
    message = caught.value.message_dict["on"][0]
    assert "Xã Cũ A" in message and "Xã Cũ B" in message


def test_can_record_on_the_history_of_ones_scope(world: dict[str, Any]) -> None:
    # given an officer of new commune X and one of Z, in the other province
    officer = user_with_role(Role.COMMUNE_OFFICER, world["x"])
    outsider = user_with_role(Role.COMMUNE_OFFICER, world["z"])
    perm = "activities.record"
    # then X's officer may record on A, B, D but not on C (which went to Y and Z)
    assert history.can_record(officer, perm, world["x"])
    assert history.can_record(officer, perm, world["a"])
    assert history.can_record(officer, perm, world["d"])
    assert not history.can_record(officer, perm, world["c"])
    # the other province reaches C through its non-default successor Z
    assert history.can_record(outsider, perm, world["c"])
    assert not history.can_record(outsider, perm, world["a"])
    assert not history.can_record(officer, perm, None)
    assert set(history.recordable_predecessors(officer, perm)) >= {world["a"], world["b"]}


def test_commune_on_a_day(world: dict[str, Any]) -> None:
    # given a village now under X that belonged to A before the reform
    village: Any = VillageFactory(parent=world["x"], former_parent=world["a"])
    rows = dict(
        OrgUnit.objects.filter(pk__in=[village.pk, world["x"].pk])
        .annotate(before=history.commune_on("", date(2025, 6, 30)))
        .values_list("pk", "before")
    )
    after = dict(
        OrgUnit.objects.filter(pk=village.pk)
        .annotate(after=history.commune_on("", REFORM))
        .values_list("pk", "after")
    )
    assert rows == {village.pk: world["a"].pk, world["x"].pk: world["x"].pk}
    assert after == {village.pk: world["x"].pk}


def test_under_a_closed_commune_includes_the_villages_it_had(world):
    # given a village now under X that belonged to A, and one that was always X's
    kept: Any = VillageFactory(parent=world["x"], former_parent=world["a"])
    own: Any = VillageFactory(parent=world["x"])

    def under(unit: Any) -> set[int]:
        # the children of X's villages' parent relation stand in for "a record's unit"
        found = OrgUnit.objects.filter(pk__in=[kept.pk, own.pk, world["village"].pk])
        return set(found.filter(_self_q(unit)).values_list("pk", flat=True))

    def _self_q(unit: Any) -> Any:
        from django.db.models import Q

        inner = history.under_q("unit", unit)
        # rewrite "unit__…" lookups onto the unit itself
        return Q(
            *[(k.removeprefix("unit__"), v) for k, v in inner.children], _connector=inner.connector
        )

    # when filtering by the closed commune A, its old village and the one it kept count
    assert under(world["a"]) == {kept.pk, world["village"].pk}
    # and by the old district and province too; a current commune keeps its own subtree
    assert under(world["old_province"]) == {kept.pk, world["village"].pk}
    assert under(world["x"]) == {kept.pk, own.pk}
