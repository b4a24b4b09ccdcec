"""Villages across the 2025 reform: one row per place, with its former commune."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.core.models import AuditEvent
from binhyen.orgunits.models import Lineage, LineageKind, OrgUnit, Subkind, UnitKind
from binhyen.orgunits.services import (
    UnitInput,
    former_commune_find,
    former_communes_of,
    orgunit_bulk_create,
    orgunit_create,
    orgunit_inputs_validate,
    orgunit_update,
)
from binhyen.orgunits.tests.factories import CommuneFactory, OrgUnitFactory, ProvinceFactory

pytestmark = pytest.mark.django_db

CLOSED = date(2025, 6, 30)


def _old(code: str, name: str, parent: Any) -> Any:
    return OrgUnitFactory(
        code=code,
        name=name,
        kind=UnitKind.COMMUNE,
        subkind=Subkind.XA,
        parent=parent,
        valid_to=CLOSED,
        official_code=code[1:],
    )


def _link(pred: Any, succ: Any, *, default: bool = True, kind: str = LineageKind.MERGE) -> None:
    Lineage.objects.create(
        predecessor=pred,
        successor=succ,
        kind=kind,
        is_default=default,
        effective_date=date(2025, 7, 1),
    )


@pytest.fixture
def world() -> dict[str, Any]:
    """Province 24 with Hiệp Hòa (H) and Xã Khác (K); old province L24 with Lương Phong (LP,
    merged into H), Đoan Bái (DB, split: H default, K) and Xã Xa (X, merged into K)."""
    p = ProvinceFactory(code="24", name="Tỉnh Bắc Ninh")
    h = CommuneFactory(code="07840", name="Xã Hiệp Hòa", parent=p)
    k = CommuneFactory(code="07850", name="Xã Khác", parent=p)
    old_p = OrgUnitFactory(
        code="L24",
        name="Tỉnh Bắc Giang",
        kind=UnitKind.PROVINCE,
        subkind=Subkind.TINH,
        parent=p.parent,
        valid_to=CLOSED,
    )
    lp = _old("L07846", "Xã Lương Phong", old_p)
    db = _old("L07847", "Xã Đoan Bái", old_p)
    x = _old("L07848", "Xã Xa", old_p)
    _link(lp, h)
    _link(db, h, kind=LineageKind.SPLIT)
    _link(db, k, default=False, kind=LineageKind.SPLIT)
    _link(x, k)
    officer = user_with_role(Role.PROVINCE_OFFICER, p)
    return {"p": p, "h": h, "k": k, "lp": lp, "db": db, "x": x, "officer": officer}


def _create(actor: Any, parent: Any, name: str = "Thôn Đông", **kw: Any) -> Any:
    return orgunit_create(
        actor=actor, parent=parent, kind=UnitKind.VILLAGE, subkind=Subkind.THON, name=name, **kw
    )


def test_created_under_an_old_commune_goes_under_its_successor_once(world):
    # given the old commune Lương Phong, merged into Hiệp Hòa
    # when a village is created under the old commune
    unit = _create(world["officer"], world["lp"], name="Thôn Trung Hưng")
    # then one row under Hiệp Hòa keeps Lương Phong as its former commune, audited
    assert unit.parent == world["h"] and unit.former_parent == world["lp"]
    assert unit.code.startswith("07840-T")
    assert OrgUnit.objects.filter(name="Thôn Trung Hưng").count() == 1
    event = AuditEvent.objects.get(action="orgunit.create", orgunit=unit)
    assert event.changes["after"]["former_parent"] == str(world["lp"].pk)


def test_split_old_commune_goes_to_the_default_or_the_chosen_successor(world):
    # given Đoan Bái split into Hiệp Hòa (default) and Xã Khác
    first = _create(world["officer"], world["db"], name="Thôn Một")
    second = _create(world["officer"], world["db"], name="Thôn Hai", successor=world["k"])
    assert first.parent == world["h"] and second.parent == world["k"]
    assert first.former_parent == second.former_parent == world["db"]
    # a commune that is not a successor is refused, naming the valid ones
    other = CommuneFactory(parent=world["p"], name="Xã Ngoài")
    with pytest.raises(ValidationError) as excinfo:
        _create(world["officer"], world["db"], name="Thôn Ba", successor=other)
    assert "Xã Hiệp Hòa" in excinfo.value.message_dict["successor"][0]


def test_former_commune_must_lead_to_the_current_commune(world):
    # given Xã Xa, merged into Xã Khác, not into Hiệp Hòa
    assert former_communes_of(world["h"]) == [world["db"], world["lp"]]
    # when it is given as the former commune of a village of Hiệp Hòa / then refused,
    # naming the valid choices; nothing is saved
    with pytest.raises(ValidationError) as excinfo:
        _create(world["officer"], world["h"], former_parent=world["x"])
    message = excinfo.value.message_dict["former_parent"][0]
    assert "Xã Lương Phong" in message and "Xã Đoan Bái" in message
    assert not OrgUnit.objects.filter(kind=UnitKind.VILLAGE).exists()
    # a current commune is no former commune either
    with pytest.raises(ValidationError):
        _create(world["officer"], world["h"], former_parent=world["k"])


def test_same_name_in_the_same_old_commune_is_the_same_place(world):
    # given Thôn Đông of Lương Phong, now under Hiệp Hòa
    existing = _create(world["officer"], world["lp"])
    # when the same name is created again under the old commune (any spelling) / then refused
    # with a message pointing at the existing row
    with pytest.raises(ValidationError) as excinfo:
        _create(world["officer"], world["lp"], name="thon dong")
    assert existing.code in excinfo.value.message_dict["name"][0]
    # the same name from another old commune of the same new commune is also refused there
    # (two open villages of one commune cannot share a name)
    with pytest.raises(ValidationError):
        _create(world["officer"], world["h"], former_parent=world["db"])
    # but in another commune, from another old commune, it is another place
    assert _create(world["officer"], world["k"], former_parent=world["x"]).parent == world["k"]


def test_edit_sets_and_clears_the_former_commune_with_audit(world):
    unit = _create(world["officer"], world["h"], name="Thôn Bắc")
    unit = orgunit_update(actor=world["officer"], unit=unit, former_parent=world["lp"])
    assert OrgUnit.objects.get(pk=unit.pk).former_parent == world["lp"]
    with pytest.raises(ValidationError) as excinfo:
        orgunit_update(actor=world["officer"], unit=unit, former_parent=world["x"])
    assert "former_parent" in excinfo.value.message_dict
    orgunit_update(actor=world["officer"], unit=unit, former_parent=None)
    assert OrgUnit.objects.get(pk=unit.pk).former_parent is None
    events = AuditEvent.objects.filter(action="orgunit.update", orgunit=unit).order_by("pk")
    assert [e.changes["after"]["former_parent"] for e in events] == [str(world["lp"].pk), None]


def test_history_creation_needs_a_role_over_the_successor(world):
    # given an officer of another province / then the old commune is not theirs
    stranger = user_with_role(Role.PROVINCE_OFFICER, ProvinceFactory(code="25"))
    with pytest.raises(PermissionDenied):
        _create(stranger, world["lp"])


def test_former_commune_found_by_code_or_name(world):
    h = world["h"]
    assert former_commune_find("L07846", commune=h) == world["lp"]
    assert former_commune_find("07846", commune=h) == world["lp"]
    assert former_commune_find("luong phong", commune=h) == world["lp"]
    assert former_commune_find("Xã Lương Phong", commune=h) == world["lp"]
    with pytest.raises(ValidationError):
        former_commune_find("Không Có", commune=h)


def test_batch_refuses_one_place_with_two_former_communes(world):
    # given two rows naming the same village with two former communes, and a village that
    # already exists with another former commune
    _create(world["officer"], world["h"], name="Thôn Cũ", former_parent=world["db"])
    rows = [
        UnitInput(name="Thôn Mới", subkind=Subkind.THON, former_parent=world["lp"], row=2),
        UnitInput(name="Thon Moi", subkind=Subkind.THON, former_parent=world["db"], row=3),
        UnitInput(name="Thôn Cũ", subkind=Subkind.THON, former_parent=world["lp"], row=4),
        UnitInput(name="Thôn Khác", subkind=Subkind.THON, former_parent=world["x"], row=5),
    ]
    errors = orgunit_inputs_validate(parent=world["h"], inputs=rows)
    assert {(e.row, e.field) for e in errors} == {
        (3, "former_parent"),
        (4, "former_parent"),
        (5, "former_parent"),
    }
    # and a bulk create with any problem saves nothing
    from binhyen.orgunits.services import BulkValidationError

    with pytest.raises(BulkValidationError):
        orgunit_bulk_create(actor=world["officer"], commune=world["h"], rows=rows)
    assert not OrgUnit.objects.filter(name="Thôn Mới").exists()


def test_control_characters_are_refused_not_looked_up(world):
    with pytest.raises(ValidationError) as excinfo:
        former_commune_find("L07\x0046", commune=world["h"])
    assert "former_parent" in excinfo.value.message_dict
