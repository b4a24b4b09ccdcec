"""Running records on units closed by the 2025 reform: lists, catalogue, moving schemes and
security teams onto the successors, and the figures of moved records before and after."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from binhyen.accounts.models import User
from binhyen.accounts.tests.factories import login_verified
from binhyen.community import selectors, services
from binhyen.community.models import Scheme, SchemeStatus, SchemeUnitHistory, SecurityTeam
from binhyen.community.tests import factories as f
from binhyen.community.tests.test_api import Api
from binhyen.community.todo import CarryForwardTodo, TeamCarryTodo
from binhyen.core.models import AuditEvent
from binhyen.indicators import engine
from binhyen.indicators.models import Metric
from binhyen.indicators.periods import parse_period
from binhyen.indicators.services import provider_values_sync
from binhyen.orgunits.models import Lineage, LineageKind, UnitKind
from binhyen.orgunits.tests.factories import OrgUnitFactory, ProvinceFactory

pytestmark = pytest.mark.django_db
CLOSED = date(2025, 6, 30)
REFORM = date(2025, 7, 1)


@pytest.fixture
def old(s) -> dict[str, Any]:
    """Three pre-2025 communes of a closed province merged into Xã Hiệp Hòa, one elsewhere."""
    old_province: Any = ProvinceFactory(code="L24", name="Tỉnh Bắc Giang", valid_to=CLOSED)
    district: Any = OrgUnitFactory(
        code="L213",
        name="Huyện Hiệp Hòa",
        kind=UnitKind.DISTRICT,
        parent=old_province,
        valid_to=CLOSED,
    )
    Lineage.objects.create(
        predecessor=old_province,
        successor=s.province,
        kind=LineageKind.MERGE,
        effective_date=REFORM,
    )
    communes = [
        f.commune(district, code=code, name=name, valid_to=CLOSED)
        for code, name in (
            ("L07846", "Xã Lương Phong"),
            ("L07849", "Xã Đoan Bái"),
            ("L07852", "Xã Danh Thắng"),
        )
    ]
    for unit in communes:
        Lineage.objects.create(
            predecessor=unit, successor=s.commune, kind=LineageKind.MERGE, effective_date=REFORM
        )
    elsewhere = f.commune(district, code="L07999", name="Xã Khác", valid_to=CLOSED)
    Lineage.objects.create(
        predecessor=elsewhere,
        successor=s.far_commune,
        kind=LineageKind.MERGE,
        effective_date=REFORM,
    )
    root = User.objects.create_superuser(username="root", password="x")
    return {
        "communes": communes,
        "village": f.village(communes[0], name="Thôn Đông", valid_to=CLOSED),
        "elsewhere": elsewhere,
        "root": root,
    }


def _old_scheme(old, units, **extra) -> Any:
    return f.scheme(old["root"], units, founded_on=date(2024, 3, 1), **extra)


# --- lists ---------------------------------------------------------------------------------


def test_list_by_new_commune_finds_schemes_of_its_predecessors_flagged(s, old):
    # given a scheme on an old commune and one on the new commune itself
    on_old = _old_scheme(old, [old["communes"][0]], name="Mô hình cũ")
    on_new = f.scheme(s.commune_officer, [s.commune], name="Mô hình mới")
    # when the commune officer filters by the new commune
    rows = {x.pk: x for x in selectors.scheme_list(user=s.commune_officer, unit=s.commune)}
    # then both are found and only the old one is flagged
    assert set(rows) == {on_old.pk, on_new.pk}
    assert rows[on_old.pk].recorded_on_predecessor is True
    assert rows[on_new.pk].recorded_on_predecessor is False


def test_list_by_old_commune_finds_its_own_records_only(s, old):
    on_old = _old_scheme(old, [old["communes"][0]])
    _old_scheme(old, [old["communes"][1]], name="Khác")
    f.scheme(s.commune_officer, [s.commune], name="Mô hình mới")
    rows = list(selectors.scheme_list(user=s.province_officer, unit=old["communes"][0]))
    assert [x.pk for x in rows] == [on_old.pk]
    selectors.history_notes(rows, lambda x: x.units.all())
    assert rows[0].old_units == "Xã Lương Phong"
    assert rows[0].continues_in == "Xã Hiệp Hòa"


def test_teams_and_pledges_of_predecessors_follow_the_new_commune(s, old):
    # (written directly: recording on closed villages through the services is not ours here)
    team = SecurityTeam.objects.create(
        village=old["village"], name="Tổ bảo vệ ANTT thôn Đông", established_on=date(2024, 1, 1)
    )
    rows = list(selectors.team_list(user=s.commune_officer, unit=s.commune))
    assert [t.pk for t in rows] == [team.pk]
    assert rows[0].recorded_on_predecessor is True
    assert list(selectors.team_list(user=s.far_officer, unit=s.far_commune)) == []


def test_list_without_lineage_is_bounded_in_queries(s, old, django_assert_max_num_queries):
    for i in range(3):
        _old_scheme(old, [old["communes"][i]], name=f"Cũ {i}")
    with django_assert_max_num_queries(14):
        rows = list(selectors.scheme_list(user=s.province_officer, unit=s.commune))
    assert len(rows) == 3


# --- catalogue -----------------------------------------------------------------------------


def test_province_scheme_type_applies_on_its_pre_2025_communes(s, old):
    # given a type of the new province's own catalogue
    item = services.scheme_type_create(
        actor=s.province_officer, province=s.province, name="Xứ đạo bình yên", category="khac"
    )
    # when a scheme of that type is recorded on an old commune that became part of the province
    scheme = services.scheme_create(
        actor=old["root"],
        scheme_type=item,
        name="Xứ đạo Lương Phong",
        units=[old["communes"][0]],
        lead_org_kind="veterans",
        founded_on=date(2024, 1, 1),
    )
    # then it is accepted
    assert scheme.scheme_type == item
    assert s.province in selectors.provinces_reached([old["communes"][0]])


def test_province_scheme_type_still_refused_on_another_provinces_old_commune(s, old):
    item = services.scheme_type_create(
        actor=s.province_officer, province=s.province, name="Xứ đạo bình yên", category="khac"
    )
    with pytest.raises(ValidationError) as exc:
        services.scheme_create(
            actor=old["root"],
            scheme_type=item,
            name="X",
            units=[old["elsewhere"]],
            lead_org_kind="veterans",
            founded_on=date(2024, 1, 1),
        )
    assert "thuộc danh mục của tỉnh khác" in str(exc.value.message_dict["scheme_type"])


# --- carry forward -------------------------------------------------------------------------


def test_scheme_over_three_merged_communes_moves_onto_one_unit(s, old):
    # given a running scheme over three old communes later merged into Xã Hiệp Hòa
    scheme = _old_scheme(old, old["communes"], name="Cụm liên kết")
    # when the province officer moves it
    services.scheme_carry_forward(actor=s.province_officer, obj=scheme)
    # then it covers the one successor, keeps its dates and remembers the old units
    scheme.refresh_from_db()
    assert list(scheme.units.all()) == [s.commune]
    assert scheme.founded_on == date(2024, 3, 1)
    history = selectors.scheme_unit_history(scheme=scheme)
    assert sorted(h.orgunit.name for h in history) == [
        "Xã Danh Thắng",
        "Xã Lương Phong",
        "Xã Đoan Bái",
    ]
    assert {h.until for h in history} == {CLOSED}
    assert {h.successor_id for h in history} == {s.commune.pk}
    event = AuditEvent.objects.filter(action="scheme.carry_forward").get()
    assert len(event.changes["after"]["carried"]) == 3
    assert event.changes["before"]["units"] == sorted(u.code for u in old["communes"])


def test_carry_keeps_current_units_and_is_found_by_both_units(s, old):
    scheme = _old_scheme(old, [old["communes"][0], s.sibling_commune])
    services.scheme_carry_forward(actor=s.province_officer, obj=scheme)
    assert {u.pk for u in scheme.units.all()} == {s.commune.pk, s.sibling_commune.pk}
    row = selectors.scheme_list(user=s.province_officer, unit=s.commune).get()
    assert row.recorded_on_predecessor is False


def test_carry_refuses_a_scheme_on_current_units(s, old):
    scheme = f.scheme(s.commune_officer, [s.commune])
    with pytest.raises(ValidationError) as exc:
        services.scheme_carry_forward(actor=s.province_officer, obj=scheme)
    assert "đơn vị hiện hành" in str(exc.value.message_dict["units"])


def test_carry_refuses_a_scheme_stopped_before_the_reform(s, old):
    scheme = _old_scheme(old, [old["communes"][0]])
    services.scheme_status_set(
        actor=old["root"], scheme=scheme, status=SchemeStatus.DISSOLVED, since=date(2025, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        services.scheme_carry_forward(actor=s.province_officer, obj=scheme)
    assert "01/01/2025" in str(exc.value.message_dict["status"])
    assert not SchemeUnitHistory.objects.exists()


def test_carry_needs_rights_on_both_sides(s, old):
    scheme = _old_scheme(old, [old["communes"][0], old["elsewhere"]])
    with pytest.raises(PermissionDenied):
        services.scheme_carry_forward(actor=s.province_officer, obj=scheme)
    assert not SchemeUnitHistory.objects.exists()
    assert {u.pk for u in scheme.units.all()} == {old["communes"][0].pk, old["elsewhere"].pk}


def test_commune_officer_of_the_successor_may_move(s, old):
    scheme = _old_scheme(old, [old["communes"][1]])
    services.scheme_carry_forward(actor=s.commune_officer, obj=scheme)
    assert list(scheme.units.all()) == [s.commune]


def test_bulk_moves_every_running_scheme_of_an_old_commune(s, old):
    a = _old_scheme(old, [old["communes"][0]], name="A")
    b = _old_scheme(old, [old["village"]], name="B")
    stopped = _old_scheme(old, [old["communes"][0]], name="C")
    services.scheme_status_set(
        actor=old["root"], scheme=stopped, status=SchemeStatus.DISSOLVED, since=date(2025, 1, 1)
    )
    result = services.schemes_carry_forward_all(actor=s.province_officer, unit=old["communes"][0])
    assert result.skipped == [], result.skipped
    assert {x.pk for x in result.moved} == {a.pk, b.pk}
    assert list(b.units.all()) == [s.commune]
    assert list(stopped.units.all()) == [old["communes"][0]]


# --- pages, API, to-do ---------------------------------------------------------------------


def test_list_page_marks_records_of_the_predecessor(client, s, old):
    _old_scheme(old, [old["communes"][0]], name="Mô hình cũ")
    client.force_login(s.commune_officer)
    response = client.get(reverse("community:scheme_list"), {"unit": s.commune.code})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Mô hình cũ" in text
    assert "ghi trên đơn vị cũ: Xã Lương Phong" in text


def test_api_lists_flag_records_on_predecessors(client, s, old):
    on_old = _old_scheme(old, [old["communes"][0]])
    api = Api(client, s.commune_officer)
    items = api.get("/schemes", unit=s.commune.code).json()["items"]
    assert [(i["id"], i["recorded_on_predecessor"]) for i in items] == [(on_old.pk, True)]
    items = api.get("/schemes", unit=old["communes"][0].code).json()["items"]
    assert [(i["id"], i["recorded_on_predecessor"]) for i in items] == [(on_old.pk, False)]


def test_carry_page_confirms_targets_then_moves(client, s, old):
    scheme = _old_scheme(old, old["communes"], name="Cụm liên kết")
    client.force_login(s.commune_officer)
    detail = client.get(reverse("community:scheme_detail", args=[scheme.pk])).content.decode()
    assert "Chuyển sang đơn vị mới" in detail
    url = reverse("community:scheme_carry_forward", args=[scheme.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Xã Lương Phong → Xã Hiệp Hòa" in page.content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert list(scheme.units.all()) == [s.commune]
    detail = client.get(reverse("community:scheme_detail", args=[scheme.pk])).content.decode()
    assert "trước 01/07/2025: Xã Lương Phong" in detail
    assert "Chuyển sang đơn vị mới" not in detail


def test_carry_page_is_404_outside_and_login_for_anonymous(client, s, old):
    scheme = _old_scheme(old, [old["communes"][0]])
    url = reverse("community:scheme_carry_forward", args=[scheme.pk])
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(s.far_officer)
    assert client.post(url).status_code == 404
    assert list(scheme.units.all()) == [old["communes"][0]]


def test_api_carry_forward(client, s, old):
    scheme = _old_scheme(old, old["communes"])
    path = f"/schemes/{scheme.pk}/carry-forward"
    assert Api(client).send("post", path).status_code == 401
    assert Api(client, s.far_officer).send("post", path).status_code == 404
    response = Api(client, s.province_officer).send("post", path)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [u["code"] for u in body["units"]] == [s.commune.code]
    assert sorted(h["unit"]["name"] for h in body["unit_history"]) == [
        "Xã Danh Thắng",
        "Xã Lương Phong",
        "Xã Đoan Bái",
    ]
    again = Api(client, s.province_officer).send("post", path)
    assert again.status_code == 400
    assert again.json()["field"] == "units"


def test_bulk_page_moves_all_running_schemes(client, s, old):
    _old_scheme(old, [old["communes"][0]], name="A")
    _old_scheme(old, [old["communes"][0]], name="B")
    login_verified(client, s.province_officer)
    url = reverse("community:scheme_carry_forward_all", args=[old["communes"][0].code])
    page = client.get(url).content.decode()
    assert "Chuyển tất cả mô hình đang hoạt động của Xã Lương Phong sang Xã Hiệp Hòa" in page
    assert client.post(url).status_code == 302
    assert not Scheme.objects.filter(units=old["communes"][0]).exists()
    assert (
        client.get(reverse("community:scheme_carry_forward_all", args=[s.commune.code])).status_code
        == 404
    )


def test_bulk_page_without_running_schemes_says_so_and_offers_no_move(client, s, old):
    # given an old commune with no running scheme
    login_verified(client, s.province_officer)
    url = reverse("community:scheme_carry_forward_all", args=[old["communes"][0].code])
    # when its bulk page is opened
    page = client.get(url).content.decode()
    # then it says there is nothing to move, and shows no move button
    assert "Không có mô hình nào đang hoạt động được ghi trên Xã Lương Phong" in page
    assert "Chuyển tất cả</button>" not in page
    assert 'data-testid="community-form"' not in page


def test_todo_counts_running_schemes_on_old_units(s, old):
    _old_scheme(old, [old["communes"][0]], name="A")
    _old_scheme(old, [old["village"]], name="B")
    _old_scheme(old, [old["communes"][1]], name="C")
    items = list(CarryForwardTodo().items(s.commune_officer))
    assert [(i.detail, i.count) for i in items] == [("Xã Lương Phong", 2), ("Xã Đoan Bái", 1)]
    assert items[0].url == reverse(
        "community:scheme_carry_forward_all", args=[old["communes"][0].code]
    )
    assert list(CarryForwardTodo().items(s.far_officer)) == []


# --- security teams and figures --------------------------------------------------------------


@pytest.fixture
def moved(s, old) -> dict[str, Any]:
    """The old village Thôn Đông continues in Thôn Đông (new) of Xã Hiệp Hòa; a team on it."""
    new_village = f.village(s.commune, name="Thôn Đông mới", former_parent=old["communes"][0])
    Lineage.objects.create(
        predecessor=old["village"],
        successor=new_village,
        kind=LineageKind.MERGE,
        effective_date=REFORM,
    )
    team = SecurityTeam.objects.create(
        village=old["village"], name="Tổ bảo vệ ANTT thôn Đông", established_on=date(2024, 1, 1)
    )
    return {**old, "new_village": new_village, "team": team}


def _figures(code: str, units: list[Any], month: str) -> dict[str, float]:
    metric = Metric.objects.get(code=code)
    provider_values_sync(actor=None, metric=metric, period_code=month)
    rows = engine.run(metrics=[metric], units=units, periods=[parse_period(month)], compare=False)
    return {r.unit: r.value or 0.0 for r in rows}


# --- security teams ------------------------------------------------------------------------


def test_team_moves_onto_the_successor_village_history_kept(s, moved):
    # given an active team on a village closed by the reform
    team = moved["team"]
    # when the commune officer of the successor moves it
    services.team_carry_forward(actor=s.commune_officer, obj=team)
    # then it stands on the new village, remembers the old one, keeps its dates; audited
    team.refresh_from_db()
    assert team.village == moved["new_village"]
    assert team.former_village == moved["village"]
    assert team.carried_since == REFORM
    assert team.established_on == date(2024, 1, 1)
    event = AuditEvent.objects.filter(action="team.carry_forward").get()
    assert event.changes["after"]["carried"] == [
        {
            "from": moved["village"].code,
            "until": CLOSED.isoformat(),
            "to": moved["new_village"].code,
        }
    ]


def test_team_on_an_open_village_needs_no_move(s, moved):
    # given a team on a village that stayed one row across the reform
    team = SecurityTeam.objects.create(
        village=moved["new_village"], name="Tổ mới", established_on=date(2025, 8, 1)
    )
    # then there is nothing to move
    with pytest.raises(ValidationError) as exc:
        services.team_carry_forward(actor=s.commune_officer, obj=team)
    assert "không có gì để chuyển" in str(exc.value.message_dict["village"])


def test_team_dissolved_before_its_village_closed_stays(s, moved):
    team = moved["team"]
    team.dissolved_on = date(2025, 3, 1)
    team.save()
    with pytest.raises(ValidationError) as exc:
        services.team_carry_forward(actor=s.commune_officer, obj=team)
    assert "01/03/2025" in str(exc.value.message_dict["dissolved_on"])
    team.refresh_from_db()
    assert team.village == moved["village"] and team.former_village is None


def test_team_without_a_successor_village_is_refused_by_name(s, old):
    # given a closed village whose lineage leads only to a commune (no village to go to)
    team = SecurityTeam.objects.create(
        village=old["village"], name="Tổ thôn Đông", established_on=date(2024, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        services.team_carry_forward(actor=s.commune_officer, obj=team)
    assert "Thôn Đông" in str(exc.value.message_dict["village"])


def test_team_refused_when_the_successor_village_already_has_a_team(s, moved):
    SecurityTeam.objects.create(
        village=moved["new_village"], name="Tổ đang có", established_on=date(2025, 8, 1)
    )
    with pytest.raises(ValidationError) as exc:
        services.team_carry_forward(actor=s.commune_officer, obj=moved["team"])
    assert "Tổ đang có" in str(exc.value.message_dict["village"])


def test_team_move_needs_rights_on_both_sides(s, moved):
    with pytest.raises(PermissionDenied):
        services.team_carry_forward(actor=s.far_officer, obj=moved["team"])
    moved["team"].refresh_from_db()
    assert moved["team"].village == moved["village"]


def test_moved_team_is_found_by_the_old_and_the_new_unit(s, moved):
    services.team_carry_forward(actor=s.commune_officer, obj=moved["team"])
    by_new = list(selectors.team_list(user=s.province_officer, unit=s.commune))
    by_old = list(selectors.team_list(user=s.province_officer, unit=moved["communes"][0]))
    assert [t.pk for t in by_new] == [moved["team"].pk]
    assert [t.pk for t in by_old] == [moved["team"].pk]


def test_team_page_button_confirms_and_shows_history(client, s, moved):
    team = moved["team"]
    client.force_login(s.commune_officer)
    detail = reverse("community:team_detail", args=[team.pk])
    assert "Chuyển sang đơn vị mới" in client.get(detail).content.decode()
    url = reverse("community:team_carry_forward", args=[team.pk])
    assert "Thôn Đông → Thôn Đông mới" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    page = client.get(detail).content.decode()
    assert "trước 01/07/2025: Thôn Đông" in page
    assert "Chuyển sang đơn vị mới" not in page
    # and someone outside gets a 404
    client.force_login(s.far_officer)
    assert client.get(url).status_code == 404


def test_api_team_carry_forward(client, s, moved):
    path = f"/teams/{moved['team'].pk}/carry-forward"
    assert Api(client).send("post", path).status_code == 401
    assert Api(client, s.far_officer).send("post", path).status_code == 404
    response = Api(client, s.commune_officer).send("post", path)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["village"]["name"] == "Thôn Đông mới"
    assert [(h["unit"]["name"], h["until"]) for h in body["unit_history"]] == [
        ("Thôn Đông", "2025-06-30")
    ]
    again = Api(client, s.commune_officer).send("post", path)
    assert again.status_code == 400 and again.json()["field"] == "village"


def test_todo_counts_teams_on_closed_villages(s, moved):
    items = list(TeamCarryTodo().items(s.commune_officer))
    assert [(i.detail, i.count) for i in items] == [("Xã Lương Phong", 1)]
    assert list(TeamCarryTodo().items(s.far_officer)) == []
    services.team_carry_forward(actor=s.commune_officer, obj=moved["team"])
    assert list(TeamCarryTodo().items(s.commune_officer)) == []


# --- figures before and after the reform ----------------------------------------------------


def test_moved_scheme_counts_on_the_old_commune_before_and_the_new_one_after(s, old):
    # given a running scheme on an old commune, moved onto Xã Hiệp Hòa
    scheme = f.scheme(old["root"], [old["communes"][0]], founded_on=date(2024, 3, 1))
    services.scheme_carry_forward(actor=s.province_officer, obj=scheme)
    units = [old["communes"][0], s.commune, s.province]
    # when the figures of a 2024 month and of today's month are published and read
    before = _figures("schemes_active", units, "2024M05")
    now = _figures("schemes_active", units, f.today().strftime("%YM%m"))
    # then 2024 counts it on the old commune, today on the new one, the province once each
    assert before[old["communes"][0].code] == 1
    assert before[s.province.code] == 1
    assert now[s.commune.code] == 1
    assert now[s.province.code] == 1


def test_moved_team_counts_on_the_old_commune_before_and_the_new_one_after(s, moved):
    services.team_carry_forward(actor=s.commune_officer, obj=moved["team"])
    units = [moved["communes"][0], s.commune, s.province]
    before = _figures("security_teams", units, "2024M05")
    now = _figures("security_teams", units, f.today().strftime("%YM%m"))
    assert before[moved["communes"][0].code] == 1
    assert before[s.province.code] == 1
    assert now[s.commune.code] == 1
    assert now[s.province.code] == 1


# --- pickers -------------------------------------------------------------------------------


def test_commune_picker_offers_old_communes_marked(client, s, old):
    # given a province officer (history of the old communes merged into the province)
    login_verified(client, s.province_officer)
    # when a new team is started without a commune
    page = client.get(reverse("community:team_create")).content.decode()
    # then the current communes come first, the old ones follow, marked
    assert "Xã Hiệp Hòa" in page
    assert "Xã Lương Phong — Huyện Hiệp Hòa (trước 01/07/2025)" in page
    assert page.index("Xã Hiệp Hòa —") < page.index("Xã Lương Phong —")


def test_old_commune_offers_the_villages_it_had(client, s, moved):
    # given the old commune's closed village and a current village that belonged to it
    login_verified(client, s.province_officer)
    url = reverse("community:team_create") + f"?unit={moved['communes'][0].code}"
    moved["team"].delete()
    page = client.get(url).content.decode()
    # then both are offered, the closed one marked
    assert "Thôn Đông (trước 01/07/2025)" in page
    assert "Thôn Đông mới" in page
