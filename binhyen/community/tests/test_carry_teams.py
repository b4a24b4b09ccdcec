"""Running records moved onto successor units: security teams, and the figures of moved
records before and after the 2025 reform (schemes and teams)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from binhyen.community import selectors, services
from binhyen.community.models import SecurityTeam
from binhyen.community.tests import factories as f
from binhyen.community.tests.test_api import Api
from binhyen.community.tests.test_carry import CLOSED, REFORM, old  # noqa: F401 (fixture)
from binhyen.community.todo import TeamCarryTodo
from binhyen.core.models import AuditEvent
from binhyen.indicators import engine
from binhyen.indicators.models import Metric
from binhyen.indicators.periods import parse_period
from binhyen.indicators.services import provider_values_sync
from binhyen.orgunits.models import Lineage, LineageKind

pytestmark = pytest.mark.django_db


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
    return {r.unit: r.value for r in rows}


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
        {"from": moved["village"].code, "until": CLOSED.isoformat(), "to": moved["new_village"].code}
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
