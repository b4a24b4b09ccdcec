"""Writes to the map: villages and establishments, their codes, names, permissions and audit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.core.models import AuditEvent
from binhyen.orgunits.models import OrgUnit, Subkind, UnitKind
from binhyen.orgunits.services import (
    BulkValidationError,
    UnitInput,
    orgunit_bulk_create,
    orgunit_close,
    orgunit_create,
    orgunit_inputs_validate,
    orgunit_update,
)
from binhyen.orgunits.tests.factories import (
    CommuneFactory,
    EstablishmentFactory,
    ProvinceFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune() -> Any:
    return CommuneFactory(code="07840", name="Xã Lương Phong", parent=ProvinceFactory(code="24"))


@pytest.fixture
def officer(commune: OrgUnit):
    return user_with_role(Role.COMMUNE_OFFICER, commune)


def _create(actor, parent, name="Thôn Đông", kind=UnitKind.VILLAGE, subkind=Subkind.THON, **kw):
    return orgunit_create(actor=actor, parent=parent, kind=kind, subkind=subkind, name=name, **kw)


def test_create_village_generates_code_path_and_audit(commune, officer):
    # given an officer of the commune
    # when they add a village
    unit = _create(officer, commune, name="  Thôn Đông  ", population=1200, households=300)
    # then it gets the first village code, the commune's path, a folded name and an audit row
    assert unit.code == "07840-T001"
    assert unit.path == "/VN/24/07840/07840-T001/"
    assert unit.level == commune.level + 1
    assert unit.name == "Thôn Đông"
    assert unit.name_folded == "thon dong"
    event = AuditEvent.objects.get(action="orgunit.create")
    assert event.actor == officer
    assert event.orgunit == unit
    assert event.changes["after"]["name"] == "Thôn Đông"


def test_codes_continue_after_the_highest_number_per_kind(commune, officer):
    # given a village numbered 7 and a closed village numbered 9 already exist
    VillageFactory(parent=commune, code="07840-T007")
    VillageFactory(parent=commune, code="07840-T009", valid_to=date(2024, 1, 1))
    # when a village and an establishment are added
    village = _create(officer, commune, name="Thôn Mới")
    school = _create(
        officer,
        commune,
        name="Trường THCS",
        kind=UnitKind.ESTABLISHMENT,
        subkind=Subkind.CO_SO_GIAO_DUC,
    )
    # then numbers are never reused, and each kind counts on its own
    assert village.code == "07840-T010"
    assert school.code == "07840-E001"


def test_explicit_code_must_belong_to_the_commune(commune, officer):
    # when an explicit code outside the commune's prefix is given
    with pytest.raises(ValidationError) as excinfo:
        _create(officer, commune, code="99999-T001")
    # then the code field is named
    assert "code" in excinfo.value.message_dict
    assert _create(officer, commune, code="07840-X1").code == "07840-X1"


def test_duplicate_village_name_is_rejected_ignoring_diacritics(commune, officer):
    # given "Thôn Đông" exists
    _create(officer, commune, name="Thôn Đông")
    # when "thon dong" is added to the same commune
    with pytest.raises(ValidationError) as excinfo:
        _create(officer, commune, name="thon  DONG")
    # then the name is refused and nothing more is saved
    assert "name" in excinfo.value.message_dict
    assert OrgUnit.objects.filter(kind=UnitKind.VILLAGE).count() == 1


def test_same_name_allowed_in_another_commune_or_after_closing(commune, officer):
    # given "Thôn Đông" closed in this commune and open in another commune
    VillageFactory(parent=commune, name="Thôn Đông", valid_to=date(2024, 12, 31))
    VillageFactory(name="Thôn Đông")
    # when the name is used again here
    unit = _create(officer, commune, name="Thôn Đông")
    # then it is accepted
    assert unit.pk is not None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"subkind": Subkind.XA}, "subkind"),
        ({"kind": UnitKind.COMMUNE, "subkind": Subkind.XA}, "kind"),
        ({"latitude": 91.0, "longitude": 105.0}, "latitude"),
        ({"latitude": 21.0}, "longitude"),
        ({"population": -1}, "population"),
        ({"address": "a" * 256}, "address"),
    ],
)
def test_bad_input_names_the_field(commune, officer, kwargs, field):
    # when a field is wrong
    args = {"name": "Thôn A", "kind": UnitKind.VILLAGE, "subkind": Subkind.THON, **kwargs}
    with pytest.raises(ValidationError) as excinfo:
        orgunit_create(actor=officer, parent=commune, **args)
    # then that field is named and nothing is saved
    assert field in excinfo.value.message_dict
    assert not OrgUnit.objects.filter(kind=UnitKind.VILLAGE).exists()
    assert not AuditEvent.objects.exists()


def test_parent_must_be_an_open_commune(commune, officer):
    # given a village and a closed commune within the officer's reach
    village: Any = VillageFactory(parent=commune)
    old: Any = CommuneFactory(parent=commune.parent, valid_to=date(2025, 6, 30))
    superuser = user_with_role(Role.SYSTEM_ADMIN, commune.parent.parent)
    # then neither can receive a new village
    with pytest.raises(ValidationError) as excinfo:
        _create(officer, village)
    assert "parent" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        _create(superuser, old)
    assert "parent" in excinfo.value.message_dict


def test_permission_is_required_on_the_commune(commune):
    # given officers of another commune, a viewer of this one, and an anonymous actor
    other = user_with_role(Role.COMMUNE_OFFICER, CommuneFactory(parent=commune.parent))
    viewer = user_with_role(Role.VIEWER, commune)
    # then none of them may add a village here
    for actor in (other, viewer, None):
        with pytest.raises(PermissionDenied):
            _create(actor, commune)
    assert not OrgUnit.objects.filter(kind=UnitKind.VILLAGE).exists()


def test_province_officer_may_add_in_any_commune_of_the_province(commune):
    # given a province officer
    officer = user_with_role(Role.PROVINCE_OFFICER, commune.parent)
    # then they may add a village to a commune of their province
    assert _create(officer, commune).parent == commune


def test_update_village_changes_fields_and_audits_the_difference(commune, officer):
    # given a village
    unit = _create(officer, commune, name="Thôn Đông")
    # when its name and population change
    updated = orgunit_update(actor=officer, unit=unit, name="Thôn Đông Mới", population=900)
    # then the folded name follows and the audit records before/after
    assert updated.name_folded == "thon dong moi"
    event = AuditEvent.objects.get(action="orgunit.update")
    assert event.changes["before"] == {"name": "Thôn Đông", "population": None}
    assert event.changes["after"] == {"name": "Thôn Đông Mới", "population": 900}


def test_update_without_changes_writes_nothing(commune, officer):
    unit = _create(officer, commune, name="Thôn Đông")
    orgunit_update(actor=officer, unit=unit, name="Thôn Đông")
    assert not AuditEvent.objects.filter(action="orgunit.update").exists()


def test_update_refuses_duplicate_name(commune, officer):
    _create(officer, commune, name="Thôn Đông")
    west = _create(officer, commune, name="Thôn Tây")
    with pytest.raises(ValidationError) as excinfo:
        orgunit_update(actor=officer, unit=west, name="THÔN ĐÔNG")
    assert "name" in excinfo.value.message_dict


def test_commune_allows_only_population_households_note(commune, officer):
    # when an officer edits their commune
    orgunit_update(
        actor=officer, unit=commune, population=12000, households=3000, note="Số liệu 2025"
    )
    commune.refresh_from_db()
    assert (commune.population, commune.households) == (12000, 3000)
    # then its name is not editable
    with pytest.raises(ValidationError) as excinfo:
        orgunit_update(actor=officer, unit=commune, name="Xã Khác")
    assert "name" in excinfo.value.message_dict


def test_update_requires_permission(commune):
    unit: Any = VillageFactory(parent=commune)
    outsider = user_with_role(Role.COMMUNE_OFFICER, CommuneFactory(parent=commune.parent))
    with pytest.raises(PermissionDenied):
        orgunit_update(actor=outsider, unit=unit, name="Thôn X")


def test_close_village_keeps_it_and_audits(commune, officer):
    # given a village
    unit = _create(officer, commune)
    day = timezone.localdate() - timedelta(days=1)
    # when it is closed
    orgunit_close(actor=officer, unit=unit, valid_to=day)
    # then it still exists, closed, with an audit row
    unit.refresh_from_db()
    assert unit.valid_to == day
    assert AuditEvent.objects.filter(action="orgunit.close", orgunit=unit).exists()
    # and closing twice is refused
    with pytest.raises(ValidationError):
        orgunit_close(actor=officer, unit=unit, valid_to=day)


def test_close_refuses_future_dates_and_catalogue_units(commune, officer):
    unit = _create(officer, commune)
    with pytest.raises(ValidationError) as excinfo:
        orgunit_close(actor=officer, unit=unit, valid_to=timezone.localdate() + timedelta(days=2))
    assert "valid_to" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        orgunit_close(actor=officer, unit=commune, valid_to=timezone.localdate())


def test_close_requires_permission(commune):
    unit: Any = EstablishmentFactory(parent=commune)
    viewer = user_with_role(Role.VIEWER, commune)
    with pytest.raises(PermissionDenied):
        orgunit_close(actor=viewer, unit=unit, valid_to=timezone.localdate())


def test_bulk_create_saves_all_with_one_event_each_plus_summary(commune, officer):
    # given three valid rows
    rows = [UnitInput(name=f"Thôn {i}", subkind=Subkind.THON, row=i + 1) for i in range(1, 4)]
    rows.append(UnitInput(name="Công ty A", subkind=Subkind.DOANH_NGHIEP, row=5))
    # when created in bulk
    created = orgunit_bulk_create(actor=officer, commune=commune, rows=rows, source="ds.xlsx")
    # then all exist with sequential codes, and the audit has one row per unit plus a summary
    assert [u.code for u in created] == ["07840-T001", "07840-T002", "07840-T003", "07840-E001"]
    assert all(u.pk for u in created)
    assert OrgUnit.objects.filter(parent=commune).count() == 4
    assert AuditEvent.objects.filter(action="orgunit.create").count() == 4
    summary = AuditEvent.objects.get(action="orgunit.import")
    assert summary.changes["after"] == {"created": 4, "source": "ds.xlsx"}


def test_bulk_create_is_all_or_nothing(commune, officer):
    # given rows where the third repeats the first
    rows = [
        UnitInput(name="Thôn Một", subkind=Subkind.THON, row=2),
        UnitInput(name="Thôn Hai", subkind=Subkind.THON, row=3),
        UnitInput(name="thon mot", subkind=Subkind.THON, row=4),
    ]
    # when created in bulk
    with pytest.raises(BulkValidationError) as excinfo:
        orgunit_bulk_create(actor=officer, commune=commune, rows=rows)
    # then the duplicate row is reported and nothing is saved
    assert [(e.row, e.field) for e in excinfo.value.row_errors] == [(4, "name")]
    assert not OrgUnit.objects.filter(parent=commune).exists()
    assert not AuditEvent.objects.exists()


def test_bulk_create_requires_permission(commune):
    viewer = user_with_role(Role.VIEWER, commune)
    with pytest.raises(PermissionDenied):
        orgunit_bulk_create(
            actor=viewer, commune=commune, rows=[UnitInput(name="Thôn A", subkind=Subkind.THON)]
        )


@settings(max_examples=40, deadline=None)
@given(
    name=st.text(min_size=0, max_size=220),
    population=st.one_of(st.none(), st.integers(min_value=-10, max_value=3_000_000_000)),
    latitude=st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)),
)
def test_validation_never_crashes(name, population, latitude):
    # given any name, population and latitude
    commune: Any = OrgUnit.objects.filter(code="07841").first() or CommuneFactory(code="07841")
    data = UnitInput(
        name=name, subkind=Subkind.THON, population=population, latitude=latitude, longitude=1.0
    )
    # when validated
    errors = orgunit_inputs_validate(parent=commune, inputs=[data])
    # then the outcome is a list of row errors naming known fields
    assert {e.field for e in errors} <= {"name", "population", "latitude", "longitude"}
