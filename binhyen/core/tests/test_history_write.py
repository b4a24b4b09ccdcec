"""Recording history on pre-2025 units: who may, on which dates, and that the engine sees it.

The rule (``binhyen.orgunits.history.can_record``): a permission held on a current unit may
be used on the closed units whose lineage reaches it (and their old sub-units), for dates
in their lifetime; a date after a closed unit's last day is refused naming its successors.
"""

from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import UserFactory, login_verified, user_with_role
from binhyen.activities.models import Activity
from binhyen.activities.services import activity_create
from binhyen.activities.tests.factories import outreach
from binhyen.community.models import SecurityTeam
from binhyen.community.services import team_create
from binhyen.hotspots.models import Designation
from binhyen.indicators import selectors as ind_selectors
from binhyen.orgunits import history
from binhyen.orgunits.models import Lineage, LineageKind, Subkind, UnitKind
from binhyen.orgunits.tests.factories import (
    CommuneFactory,
    OrgUnitFactory,
    ProvinceFactory,
    VillageFactory,
)
from binhyen.orgunits.tests.test_api import token_for

pytestmark = pytest.mark.django_db

LAST_DAY = date(2025, 6, 30)
FIRST_DAY = date(2025, 7, 1)


def _merge(old, new, *, default: bool = True) -> None:
    Lineage.objects.create(
        predecessor=old,
        successor=new,
        kind=LineageKind.MERGE,
        is_default=default,
        effective_date=FIRST_DAY,
    )


@pytest.fixture
def h():
    """Bắc Ninh (new) took over Bắc Giang (old). Xã Hiệp Hòa (new) merged Lương Phong and
    Đoan Bái; Hòa Sơn went to the sibling commune. Lạng Sơn is another province."""
    province = ProvinceFactory(code="24", name="Tỉnh Bắc Ninh")
    commune = CommuneFactory(
        code="07840", name="Xã Hiệp Hòa", parent=province, valid_from=FIRST_DAY
    )
    sibling = CommuneFactory(code="07900", name="Xã Hòa Sơn Mới", parent=province)
    old_province = ProvinceFactory(code="18", name="Tỉnh Bắc Giang", valid_to=LAST_DAY)
    district = OrgUnitFactory(
        code="18-213",
        name="Huyện Hiệp Hòa",
        kind=UnitKind.DISTRICT,
        subkind=Subkind.HUYEN,
        parent=old_province,
        valid_to=LAST_DAY,
    )
    luong_phong = CommuneFactory(
        code="07513", name="Xã Lương Phong", parent=district, valid_to=LAST_DAY
    )
    old_village = VillageFactory(
        code="07513-T001", name="Thôn Cổ Pháp", parent=luong_phong, valid_to=LAST_DAY
    )
    doan_bai = CommuneFactory(code="07516", name="Xã Đoan Bái", parent=district, valid_to=LAST_DAY)
    hoa_son = CommuneFactory(code="07519", name="Xã Hòa Sơn", parent=district, valid_to=LAST_DAY)
    _merge(old_province, province)
    _merge(luong_phong, commune)
    _merge(doan_bai, commune)
    _merge(hoa_son, sibling)
    other_province = ProvinceFactory(code="20", name="Tỉnh Lạng Sơn")
    return SimpleNamespace(
        province=province,
        commune=commune,
        sibling=sibling,
        old_province=old_province,
        district=district,
        luong_phong=luong_phong,
        old_village=old_village,
        doan_bai=doan_bai,
        hoa_son=hoa_son,
        other_province=other_province,
        province_officer=user_with_role(Role.PROVINCE_OFFICER, province, username="tinh"),
        commune_officer=user_with_role(Role.COMMUNE_OFFICER, commune, username="canbo"),
        commune_chief=user_with_role(Role.COMMUNE_CHIEF, commune, username="truong"),
        other_officer=user_with_role(Role.PROVINCE_OFFICER, other_province, username="ls"),
        superuser=UserFactory(username="root", is_superuser=True),
    )


def _api_post(client, user, path: str, body: dict):
    return client.post(
        path,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(user)}",
    )


def _activity(unit, day: str = "2024-05-10") -> dict:
    return {
        "kind": "outreach",
        "unit": unit.code,
        "date": day,
        "title": "Tuyên truyền phòng chống ma túy",
        "topic": "Phòng chống ma túy",
        "participants": 60,
    }


# --- the rule ------------------------------------------------------------------------------


def test_the_rule_follows_lineage_from_the_scope(h):
    # Given officers of the new province and commune, another province and a superuser
    perm = "activities.record"
    # Then the new commune's officer may record on the old communes merged into it (and
    # their villages) but not on one that went elsewhere
    assert history.can_record(h.commune_officer, perm, h.luong_phong)
    assert history.can_record(h.commune_officer, perm, h.doan_bai)
    assert history.can_record(h.commune_officer, perm, h.old_village)
    assert not history.can_record(h.commune_officer, perm, h.hoa_son)
    # And the province officer (history only, for activities) on every old commune of the
    # province, never on a current commune; the other province on none
    for old in (h.luong_phong, h.doan_bai, h.hoa_son):
        assert history.can_record(h.province_officer, perm, old)
        assert not history.can_record(h.other_officer, perm, old)
    assert not history.can_record(h.province_officer, perm, h.commune)
    assert history.can_record(h.superuser, perm, h.hoa_son)
    ids = set(history.recordable_predecessors(h.commune_officer, perm).values_list("pk", flat=True))
    assert {h.luong_phong.pk, h.doan_bai.pk, h.old_village.pk} <= ids
    assert h.hoa_son.pk not in ids


# --- activities (API and page) ------------------------------------------------------------


def test_province_officer_records_an_old_communes_activity_through_the_api(client, h):
    # When the new province's officer records a 2024 session on Lương Phong
    response = _api_post(client, h.province_officer, "/api/v1/activities", _activity(h.luong_phong))
    # Then it is saved on the old commune
    assert response.status_code == 201, response.json()
    assert Activity.objects.get().orgunit == h.luong_phong


def test_another_province_is_answered_404_and_nothing_is_saved(client, h):
    response = _api_post(client, h.other_officer, "/api/v1/activities", _activity(h.luong_phong))
    assert response.status_code == 404
    assert not Activity.objects.exists()


def test_commune_officer_records_on_merged_communes_only(client, h):
    # Given the new commune's officer
    for old in (h.luong_phong, h.doan_bai):
        response = _api_post(client, h.commune_officer, "/api/v1/activities", _activity(old))
        # Then the communes merged into theirs are accepted
        assert response.status_code == 201, response.json()
    # But the commune that went to the sibling is refused as missing
    response = _api_post(client, h.commune_officer, "/api/v1/activities", _activity(h.hoa_son))
    assert response.status_code in (403, 404)
    assert Activity.objects.count() == 2
    with pytest.raises(PermissionDenied):
        activity_create(actor=h.commune_officer, data=outreach(h.hoa_son, date=date(2024, 5, 1)))


def test_a_date_after_the_reform_is_refused_naming_the_successor(client, h):
    # When a session dated after 30/06/2025 is recorded on Lương Phong
    response = _api_post(
        client, h.commune_officer, "/api/v1/activities", _activity(h.luong_phong, "2025-08-01")
    )
    # Then the date is refused with the new commune's name, nothing saved
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "date"
    assert "Xã Hiệp Hòa" in json.dumps(body, ensure_ascii=False)
    assert "01/07/2025" in json.dumps(body, ensure_ascii=False)
    assert not Activity.objects.exists()


def test_the_page_form_refuses_a_late_date_with_the_successor_and_offers_old_communes(client, h):
    client.force_login(h.commune_officer)
    # Given the page of their commune links to the pre-reform communes
    html = client.get(reverse("activities:new")).content.decode()
    assert 'data-testid="history-link"' in html
    # And the picker lists the old communes, labelled as history
    html = client.get(reverse("activities:new"), {"history": "1"}).content.decode()
    assert "Xã Đoan Bái" in html
    html = client.get(reverse("activities:new"), {"q": "Lương"}).content.decode()
    assert "Xã Lương Phong" in html and 'data-testid="history-unit"' in html
    assert "Xã Hòa Sơn" not in html
    url = reverse("activities:create", args=["outreach"]) + f"?unit={h.luong_phong.code}"
    data = {
        "commune": h.luong_phong.code,
        "unit": h.luong_phong.code,
        "topic": "Phòng chống ma túy",
        "participants": "40",
    }
    # When the form is sent with a date after the reform
    response = client.post(url, {**data, "date": "2025-09-02"})
    # Then it answers with the form and the successor's name; nothing saved
    assert response.status_code in (200, 400)
    assert "Xã Hiệp Hòa" in response.content.decode()
    assert not Activity.objects.exists()
    # And with a date in the old commune's life it is saved there
    response = client.post(url, {**data, "date": "2024-09-02"})
    assert response.status_code == 302
    assert Activity.objects.get().orgunit == h.luong_phong


def test_the_closed_units_page_shows_the_record_buttons_to_who_may_record(client, h):
    client.force_login(h.commune_officer)
    html = client.get(reverse("orgunits:detail", args=[h.luong_phong.code])).content.decode()
    assert 'data-testid="history-record-activity"' in html
    html = client.get(reverse("orgunits:detail", args=[h.hoa_son.code])).content.decode()
    assert 'data-testid="history-record-activity"' not in html


def test_superuser_still_records_anywhere(h):
    made = activity_create(actor=h.superuser, data=outreach(h.hoa_son, date=date(2024, 3, 1)))
    assert made.orgunit == h.hoa_son


def test_the_engine_shows_the_old_communes_figure_and_rolls_it_into_the_successor(h):
    # Given a session recorded on Lương Phong in 2024 by the new commune's officer
    activity_create(actor=h.commune_officer, data=outreach(h.luong_phong, date=date(2024, 4, 2)))

    def sessions(unit):
        rows = ind_selectors.analytics(
            user=h.province_officer,
            metric_codes=["outreach_sessions"],
            unit_codes=[unit.code],
            period_codes=["2024"],
            compare=False,
        ).rows
        return {r.metric: r.value for r in rows}.get("outreach_sessions")

    # Then 2024 shows it at the old commune, the new commune and the new province
    assert sessions(h.luong_phong) == 1
    assert sessions(h.commune) == 1
    assert sessions(h.province) == 1


# --- values, teams, hotspots ---------------------------------------------------------------


def test_report_values_of_a_past_period_on_an_old_commune(h):
    from binhyen.indicators.services import ValueInput, data_values_save
    from binhyen.indicators.tests.factories import MetricFactory

    metric = MetricFactory(code="hh_households", period_kind="year")
    # When the province officer enters 2024 for Lương Phong
    changed = data_values_save(
        actor=h.province_officer,
        unit=h.luong_phong,
        period_code="2024",
        values=[ValueInput(metric=metric, value=4300)],
    )
    assert changed == 1
    # But a period after the reform is refused naming the successor
    with pytest.raises(ValidationError) as refused:
        data_values_save(
            actor=h.province_officer,
            unit=h.luong_phong,
            period_code="2026",
            values=[ValueInput(metric=metric, value=5)],
        )
    assert "Xã Hiệp Hòa" in str(refused.value.message_dict["period"])
    # And another province may not enter it at all
    with pytest.raises(PermissionDenied):
        data_values_save(
            actor=h.other_officer,
            unit=h.luong_phong,
            period_code="2024",
            values=[ValueInput(metric=metric, value=5)],
        )


def test_a_security_team_on_an_old_village(h):
    # Given the new commune's officer records the old village's team of 2019
    team = team_create(
        actor=h.commune_officer, village=h.old_village, established_on=date(2019, 3, 1)
    )
    assert team.village == h.old_village
    team.delete()
    # When the founding date is after the reform, it is refused naming the successor
    with pytest.raises(ValidationError) as refused:
        team_create(actor=h.commune_officer, village=h.old_village, established_on=date(2025, 9, 1))
    assert "Xã Hiệp Hòa" in str(refused.value)
    assert not SecurityTeam.objects.exists()


def test_a_hotspot_designation_of_an_old_commune(client, h):
    login_verified(client, h.province_officer)
    # The designation form offers the province's old communes in their own group
    html = client.get(reverse("hotspots:create")).content.decode()
    assert "Đơn vị trước sắp xếp" in html and "Xã Hòa Sơn" in html
    html = client.get(reverse("hotspots:create"), {"unit": h.luong_phong.code}).content.decode()
    assert "Xã Lương Phong" in html
    assert not Designation.objects.exists()


def test_hotspot_designation_service_on_an_old_commune(h):
    from binhyen.hotspots.tests.factories import designate

    # Given the province officer designates Hòa Sơn for 2024
    made = designate(h.province_officer, h.hoa_son)
    assert made.orgunit == h.hoa_son
    # When a decision dated after the reform is recorded on it, it names the successor
    with pytest.raises(ValidationError) as refused:
        designate(h.province_officer, h.doan_bai, year=2025, decision_date=date(2025, 8, 1))
    assert "Xã Hiệp Hòa" in " ".join(refused.value.message_dict["decision_date"])
    # And another province may not designate it
    with pytest.raises(PermissionDenied):
        designate(h.other_officer, h.doan_bai)
    assert Designation.objects.count() == 1


def test_a_village_pledge_of_2024_and_one_signed_after_the_reform(h):
    from binhyen.community.models import Pledge
    from binhyen.community.services import pledge_create

    def pledge(year: int, day: date):
        return pledge_create(
            actor=h.commune_officer,
            unit=h.old_village,
            signer_kind="village",
            year=year,
            signed_on=day,
            signed_by="Trưởng thôn Nguyễn Văn A",
        )

    assert pledge(2024, date(2024, 1, 15)).orgunit == h.old_village
    with pytest.raises(ValidationError) as refused:
        pledge(2025, date(2025, 8, 15))
    assert "Xã Hiệp Hòa" in " ".join(refused.value.message_dict["signed_on"])
    assert Pledge.objects.count() == 1


def test_a_scheme_over_old_communes_and_one_founded_after_the_reform(h):
    from binhyen.community.models import Scheme
    from binhyen.community.tests.factories import scheme

    # Given the province officer records a 2023 scheme over two old communes of the province
    made = scheme(h.province_officer, [h.luong_phong, h.hoa_son], founded_on=date(2023, 5, 1))
    assert set(made.units.all()) == {h.luong_phong, h.hoa_son}
    # When a scheme on an old commune is founded after the reform, it names the successor
    with pytest.raises(ValidationError) as refused:
        scheme(h.commune_officer, [h.luong_phong], founded_on=date(2025, 9, 1), name="Tổ mới")
    assert "Xã Hiệp Hòa" in " ".join(refused.value.message_dict["founded_on"])
    # And the officer of another province may not record one there
    with pytest.raises((PermissionDenied, ValidationError)):
        scheme(h.other_officer, [h.luong_phong], founded_on=date(2023, 5, 1), name="Tổ khác")
    assert Scheme.objects.count() == 1
