"""Community pages: deny by default, 404 outside the scope, and what each page does."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from binhyen.accounts.tests.factories import login_verified
from binhyen.community.models import Pledge, Scheme, SecurityTeam, TeamGrading
from binhyen.community.tests import factories as f
from binhyen.core.models import AuditEvent

pytestmark = pytest.mark.django_db

# (url name, args from the world, method, user allowed, user refused)
Args = Callable[[Any, dict[str, Any]], list[Any]]
NONE: Args = lambda s, w: []  # noqa: E731
SCHEME: Args = lambda s, w: [w["scheme"].pk]  # noqa: E731
TEAM: Args = lambda s, w: [w["team"].pk]  # noqa: E731
PLEDGE: Args = lambda s, w: [w["pledge"].pk]  # noqa: E731

OBJECT_PAGES = [
    ("scheme_detail", SCHEME, "commune_officer", "far_officer"),
    ("scheme_edit", SCHEME, "commune_officer", "far_officer"),
    ("scheme_edit", SCHEME, "commune_officer", "village_member"),
    ("scheme_status", SCHEME, "commune_officer", "far_officer"),
    ("scheme_site_add", SCHEME, "commune_officer", "village_member"),
    ("scheme_grading_add", SCHEME, "commune_officer", "far_officer"),
    ("scheme_site_end", lambda s, w: [w["site"].pk], "commune_officer", "far_officer"),
    ("type_edit", lambda s, w: [w["province_type"].pk], "province_officer", "commune_officer"),
    ("team_detail", TEAM, "village_member", "far_officer"),
    ("team_edit", TEAM, "commune_officer", "village_member"),
    ("member_create", TEAM, "commune_officer", "far_officer"),
    ("member_edit", lambda s, w: [w["member"].pk], "commune_officer", "far_officer"),
    ("training_create", TEAM, "commune_officer", "village_member"),
    ("grading_sheet", lambda s, w: [s.commune.code, 2025], "commune_officer", "far_officer"),
    ("rules", lambda s, w: [s.province.code], "commune_officer", "far_officer"),
    ("pledge_detail", PLEDGE, "village_member", "far_officer"),
    ("pledge_edit", PLEDGE, "commune_officer", "village_member"),
    ("decision_file", lambda s, w: [w["decision"].pk], "village_member", "far_officer"),
]
LIST_PAGES = ["index", "scheme_list", "team_list", "pledge_list", "type_list"]
EXPORTS = ["scheme_export", "team_export", "pledge_export"]
POSTS = [
    ("scheme_member_add", SCHEME, {"full_name": "Trần Thị Năm", "role": "Tổ viên"}),
    ("scheme_member_remove", lambda s, w: [w["person"].pk], {}),
    ("team_dissolve", TEAM, {"dissolved_on": "2025-01-01"}),
    ("pledge_delete", PLEDGE, {}),
    ("type_typical", lambda s, w: [w["national_type"].pk], {"province": "", "typical": "1"}),
]


def login(client: Any, s: Any, role: str) -> Any:
    user = getattr(s, role)
    if role == "province_officer":
        login_verified(client, user)
    else:
        client.force_login(user)
    return user


@pytest.mark.parametrize(("name", "args", "allowed", "refused"), OBJECT_PAGES)
def test_object_pages_answer_in_scope_and_404_outside(
    client, s, world, name, args, allowed, refused
):
    # given a record of the first commune
    url = reverse(f"community:{name}", args=args(s, world))
    # when someone in scope opens it, then it is shown
    login(client, s, allowed)
    assert client.get(url).status_code == 200
    # when someone outside the scope opens it, then it answers like a missing page
    client.logout()
    login(client, s, refused)
    assert client.get(url).status_code == 404
    # and an anonymous visitor is sent to the login page
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", ["scheme_detail", "team_detail", "pledge_detail", "member_edit"])
def test_missing_records_answer_404_like_forbidden_ones(client, s, name):
    # Given a signed-in officer
    login(client, s, "commune_officer")
    # When a page of a missing record is opened
    # Then it answers 404
    assert client.get(reverse(f"community:{name}", args=[999999])).status_code == 404


@pytest.mark.parametrize("name", LIST_PAGES)
def test_lists_need_sign_in_and_show_only_the_scope(client, s, world, name):
    # given an anonymous visitor, when a list opens, then it asks to sign in
    url = reverse(f"community:{name}")
    assert client.get(url).status_code == 302
    # when the officer of another province opens it, then no record of the first commune shows
    login(client, s, "far_officer")
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert world["scheme"].name not in body
    assert world["team"].name not in body
    client.logout()
    # when the commune officer opens it, then the records show
    login(client, s, "commune_officer")
    assert client.get(url).status_code == 200


def test_lists_show_records_filters_and_empty_states(client, s, world):
    # Given records of the commune
    login(client, s, "commune_officer")
    # When the lists are opened and filtered
    body = client.get(reverse("community:scheme_list")).content.decode()
    # Then they show the records, filters and empty states
    assert world["scheme"].name in body
    # search without diacritics finds the scheme
    body = client.get(reverse("community:scheme_list"), {"q": "tu quan thon cam"}).content.decode()
    assert world["scheme"].name in body
    # a filter that matches nothing explains what to try
    response = client.get(reverse("community:scheme_list"), {"q": "khong co"})
    assert 'data-testid="empty"' in response.content.decode()
    assert world["team"].name in client.get(reverse("community:team_list")).content.decode()
    body = client.get(reverse("community:pledge_list"), {"year": f.today().year}).content.decode()
    assert s.village.name in body
    # a bad filter value answers 400 with the field marked
    assert client.get(reverse("community:pledge_list"), {"year": "abc"}).status_code == 400


def test_empty_lists_say_what_to_do_next(client, s):
    # Given a commune without records
    login(client, s, "commune_officer")
    # When the lists are opened
    # Then each says what to do next
    for name in ("scheme_list", "team_list", "pledge_list"):
        body = client.get(reverse(f"community:{name}")).content.decode()
        assert 'data-testid="empty"' in body
        assert "btn-brand" in body


@pytest.mark.parametrize("name", EXPORTS)
def test_exports_hold_only_the_scope(client, s, world, name):
    # Given records in and out of scope
    url = reverse(f"community:{name}")
    # When the export is downloaded
    # Then it holds only the scope
    assert client.get(url).status_code == 302
    login(client, s, "commune_officer")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.max_row == 2  # header + the one record
    client.logout()
    login(client, s, "far_officer")
    sheet = load_workbook(io.BytesIO(client.get(url).content)).worksheets[0]
    assert sheet.max_row == 1


def test_export_keeps_formula_like_names_as_text(client, s):
    # Given a scheme named like a formula
    f.scheme(s.commune_officer, [s.village], name="=HYPERLINK(1)")
    login(client, s, "commune_officer")
    # When the export is downloaded
    response = client.get(reverse("community:scheme_export"))
    cell = load_workbook(io.BytesIO(response.content)).worksheets[0]["B2"]
    # Then the name stays text
    assert cell.value == "=HYPERLINK(1)"
    assert cell.data_type == "s"


@pytest.mark.parametrize(("name", "args", "data"), POSTS)
def test_posts_refuse_outsiders_with_404(client, s, world, name, args, data):
    # Given a write page
    url = reverse(f"community:{name}", args=args(s, world))
    # When an anonymous user and an outsider post to it
    # Then the first is sent to log in, the second gets 404
    assert client.post(url, data).status_code == 302
    assert reverse("accounts:login") in client.post(url, data)["Location"]
    login(client, s, "far_officer")
    assert client.post(url, data).status_code == 404
    assert client.get(url).status_code in (404, 405)


def test_scheme_create_flow(client, s, world):
    # given the commune officer on the new-scheme page of their commune
    login(client, s, "commune_officer")
    url = f"{reverse('community:scheme_create')}?unit={s.commune.code}"
    assert client.get(url).status_code == 200
    # when they submit a valid scheme with a roster
    response = client.post(
        url,
        {
            "scheme_type": world["national_type"].pk,
            "name": "Tổ hòa giải thôn Cấm",
            "units": [s.village.code],
            "lead_org_kind": "front",
            "founded_on": "2025-05-01",
            "member_count": "5",
            "roster": "Nguyễn Văn A - Tổ trưởng\nTrần Thị B - Tổ viên",
        },
    )
    # then it is saved and they land on its page
    scheme = Scheme.objects.get(name="Tổ hòa giải thôn Cấm")
    assert response.status_code == 302
    assert response["Location"] == reverse("community:scheme_detail", args=[scheme.pk])
    assert scheme.roster.count() == 2
    assert AuditEvent.objects.filter(action="scheme.create", object_id=str(scheme.pk)).exists()


def test_scheme_create_with_negative_count_answers_400_and_saves_nothing(client, s, world):
    # Given the commune officer
    login(client, s, "commune_officer")
    before = Scheme.objects.count()
    # When a scheme with a negative count is posted
    response = client.post(
        f"{reverse('community:scheme_create')}?unit={s.commune.code}",
        {
            "scheme_type": world["national_type"].pk,
            "name": "Tổ hòa giải",
            "units": [s.village.code],
            "lead_org_kind": "front",
            "founded_on": "2025-05-01",
            "member_count": "-3",
        },
    )
    # Then the page answers 400 and nothing is saved
    assert response.status_code == 400
    assert "số nguyên không âm" in response.content.decode()
    assert Scheme.objects.count() == before


def test_scheme_create_for_a_commune_outside_scope_is_404(client, s):
    # Given the commune officer
    login(client, s, "commune_officer")
    url = f"{reverse('community:scheme_create')}?unit={s.far_commune.code}"
    # When the create page of another commune is opened
    # Then it answers 404
    assert client.get(url).status_code == 404


def test_create_pages_ask_users_of_several_communes_to_choose(client, s):
    # Given the province officer
    login(client, s, "province_officer")
    # When a create page is opened
    response = client.get(reverse("community:team_create"))
    # Then it asks which commune
    assert response.status_code == 200
    body = response.content.decode()
    assert s.commune.name in body and s.sibling_commune.name in body
    assert s.far_commune.name not in body


@pytest.mark.parametrize("name", ["scheme_create", "team_create", "pledge_create"])
def test_create_links_from_a_province_list_ask_for_the_commune(client, s, name):
    # given a province officer on the province's list (its "add" link names the province)
    login(client, s, "province_officer")
    # when they follow it
    response = client.get(f"{reverse(f'community:{name}')}?unit={s.province.code}")
    # then they choose among the province's communes, and another province stays 404
    assert response.status_code == 200
    body = response.content.decode()
    assert s.commune.name in body and s.far_commune.name not in body
    url = f"{reverse(f'community:{name}')}?unit={s.other_province.code}"
    assert client.get(url).status_code == 404


def test_the_grading_link_is_shown_only_to_who_can_open_it(client, s):
    from binhyen.accounts.models import Role
    from binhyen.accounts.tests.factories import user_with_role

    # given a viewer of the province (no commune to grade) and the village's member
    viewer = user_with_role(Role.VIEWER, s.province, username="xem")
    grading = reverse("community:grading_index")
    for user in (viewer, s.village_member):
        client.force_login(user)
        # when they open the community pages
        index = client.get(reverse("community:index")).content.decode()
        teams = client.get(reverse("community:team_list")).content.decode()
        # then no link leads to a grading page they could not open
        assert grading not in index and grading not in teams
        assert f"/community/gradings/{s.commune.code}/" not in index
    # and the commune officer still has it
    login(client, s, "commune_officer")
    assert "/community/gradings/" in client.get(reverse("community:index")).content.decode()


def test_viewer_without_manage_permission_cannot_open_create_pages(client, s):
    # Given a village member
    login(client, s, "village_member")
    # When the create pages are opened
    # Then each answers 404
    for name in ("scheme_create", "team_create", "pledge_create"):
        assert client.get(reverse(f"community:{name}")).status_code == 404


def test_team_and_member_flow_reports_a_member_in_two_teams(client, s, world):
    # given a second village with a team, and a member already active in the first team

    village = f.village(s.commune, name="Thôn Khánh")
    login(client, s, "commune_officer")
    response = client.post(
        f"{reverse('community:team_create')}?unit={s.commune.code}",
        {"village": village.code, "established_on": "2024-07-01"},
    )
    team = SecurityTeam.objects.get(village=village)
    assert response.status_code == 302
    # when the same person is added to the second team
    member = world["member"]
    response = client.post(
        reverse("community:member_create", args=[team.pk]),
        {
            "full_name": member.full_name.upper(),
            "birth_date": member.birth_date.isoformat(),
            "role": "member",
            "origin": "new",
            "joined_on": "2025-01-01",
        },
    )
    # then the page says why and nothing is saved
    assert response.status_code == 400
    assert "hai tổ cùng lúc" in response.content.decode()
    assert not team.members.exists()


def test_team_create_in_a_village_with_an_active_team_answers_400(client, s, world):
    # Given a village with a team
    login(client, s, "commune_officer")
    # When a second team is posted
    response = client.post(
        f"{reverse('community:team_create')}?unit={s.commune.code}",
        {"village": s.village.code, "established_on": "2024-07-01"},
    )
    # Then the page answers 400 (the village is not among the choices) and saves nothing
    assert response.status_code == 400
    assert response.context["form"].errors["village"]
    assert SecurityTeam.objects.filter(village=s.village).count() == 1


def test_team_form_offers_only_villages_without_an_active_team(client, s, world):
    # Given a commune whose village has a team, and a second village without one
    other = f.village(s.commune, name="Thôn Khánh")
    login(client, s, "commune_officer")
    # When the create page opens
    response = client.get(f"{reverse('community:team_create')}?unit={s.commune.code}")
    # Then only the village without a team is offered
    choices = dict(response.context["form"].fields["village"].choices)
    assert other.code in choices
    assert s.village.code not in choices


def test_grading_sheet_is_entered_by_the_chief_only(client, s, world):
    # given a team graded over a full team year
    team, member = world["team"], world["member"]
    url = reverse("community:grading_sheet", args=[s.commune.code, 2025])
    data = {f"t{team.pk}_level": "good", f"m{member.pk}_level": "good"}
    # when the commune officer posts, then it is refused like a missing page
    login(client, s, "commune_officer")
    assert "grading-form" in client.get(url).content.decode()
    assert client.post(url, data).status_code == 404
    client.logout()
    # when the chief posts, then the grades are saved
    login(client, s, "commune_chief")
    response = client.post(url, data)
    assert response.status_code == 302
    assert TeamGrading.objects.get(team=team, year=2025).level == "good"
    # and a rule violation is explained on the sheet, nothing saved
    response = client.post(url, {f"t{team.pk}_level": "good", f"m{member.pk}_level": "excellent"})
    assert response.status_code == 400
    assert "xuất sắc" in response.content.decode()


def test_grading_index_redirects_to_the_commune_sheet(client, s):
    # Given the commune chief
    login(client, s, "commune_chief")
    # When the grading index is opened
    response = client.get(reverse("community:grading_index"))
    # Then it redirects to the commune's sheet
    assert response.status_code == 302
    assert f"/gradings/{s.commune.code}/" in response["Location"]


def test_rules_page_edits_for_the_province_officer_only(client, s):
    # Given the rules page of the province
    url = reverse("community:rules", args=[s.province.code])
    login(client, s, "commune_officer")
    # When the commune and province officers open and post it
    # Then only the province officer changes the rules
    assert 'data-testid="rules-view"' in client.get(url).content.decode()
    assert client.post(url, {}).status_code == 404
    client.logout()
    login(client, s, "province_officer")
    data = {
        "team_size_min": 3,
        "team_size_max": 5,
        "min_activity_months": 9,
        "excellent_max_pct_of_good": 20,
        "excellent_min_task_pct": "95",
        "leader_not_above_team": "on",
        "basis": "NQ 12/2024/NQ-HĐND",
    }
    assert client.post(url, data).status_code == 302
    bad = {**data, "team_size_min": 6}
    response = client.post(url, bad)
    assert response.status_code == 400
    assert "không nhỏ hơn số tối thiểu" in response.content.decode()


def test_type_catalogue_marks_typical_types(client, s, world):
    # Given the province officer
    login(client, s, "province_officer")
    url = reverse("community:type_typical", args=[world["national_type"].pk])
    # When a national type is marked typical
    response = client.post(url, {"province": s.province.code, "typical": "1"})
    # Then the catalogue shows it
    assert response.status_code == 302
    assert world["national_type"].typical_in.filter(pk=s.province.pk).exists()
    body = client.get(reverse("community:type_list"), {"province": s.province.code}).content
    assert "bi-star-fill" in body.decode()


def test_pledge_create_and_dates_outside_the_year(client, s):
    # Given the commune officer
    login(client, s, "commune_officer")
    url = f"{reverse('community:pledge_create')}?unit={s.commune.code}"
    year = f.today().year
    data = {
        "signer_kind": "village",
        "orgunit": s.village.code,
        "year": year,
        "signed_on": date(year - 2, 5, 1).isoformat(),
        "signed_by": "Trưởng thôn",
    }
    # When pledges are posted inside and outside the year
    response = client.post(url, data)
    # Then the first is saved, the second answers 400
    assert response.status_code == 400
    assert "nằm ngoài năm giao ước" in response.content.decode()
    assert not Pledge.objects.exists()
    data["signed_on"] = min(f.today(), date(year, 1, 10)).isoformat()
    assert client.post(url, data).status_code == 302
    assert Pledge.objects.count() == 1


def test_decision_file_download_and_upload_refusal(client, s, world):
    # Given a decision with a scan
    login(client, s, "commune_officer")
    # When it is downloaded and a bad file posted
    response = client.get(reverse("community:decision_file", args=[world["decision"].pk]))
    # Then the scan is served and the bad file refused
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # a file that is not a PDF/JPG/PNG is refused with the field named, nothing changed
    response = client.post(
        reverse("community:scheme_edit", args=[world["scheme"].pk]),
        {
            "scheme_type": world["scheme"].scheme_type_id,
            "name": world["scheme"].name,
            "units": [s.village.code],
            "lead_org_kind": "veterans",
            "founded_on": world["scheme"].founded_on.isoformat(),
            "founding_decision_number": "12/QĐ-UBND",
            "founding_decision_issued_on": "2025-03-01",
            "founding_decision_file": f.upload("qd.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 400
    assert "PDF, JPG hoặc PNG" in response.content.decode()


def test_index_shows_the_engine_numbers(client, s, world):
    # Given a scheme and a team in the commune
    login(client, s, "commune_officer")
    # When the overview is opened
    body = client.get(reverse("community:index"), {"unit": s.commune.code}).content.decode()
    # Then it shows the engine's numbers
    assert 'data-metric="schemes_active">1<' in body
    assert 'data-metric="security_teams">1<' in body
    assert 'data-metric="villages_pledged">1<' in body


# --- absent fields keep their values; bad input changes nothing -----------------------------


def _stored(obj: Any) -> dict[str, Any]:
    from django.forms.models import model_to_dict

    fresh = type(obj).objects.get(pk=obj.pk)
    return {k: v for k, v in model_to_dict(fresh).items() if not hasattr(v, "url")}


EDITS = [
    ("scheme_edit", SCHEME, "commune_officer", lambda w: w["scheme"]),
    (
        "type_edit",
        lambda s, w: [w["province_type"].pk],
        "province_officer",
        lambda w: w["province_type"],
    ),
    ("team_edit", TEAM, "commune_officer", lambda w: w["team"]),
    ("member_edit", lambda s, w: [w["member"].pk], "commune_officer", lambda w: w["member"]),
    ("pledge_edit", PLEDGE, "commune_officer", lambda w: w["pledge"]),
]


@pytest.mark.parametrize(("name", "args", "role", "target"), EDITS)
def test_a_post_with_only_the_csrf_token_changes_nothing(
    client, s, world, name, args, role, target
):
    # Given a stored record
    before = _stored(target(world))
    login(client, s, role)
    # When its edit form is posted with nothing but the CSRF token
    client.post(reverse(f"community:{name}", args=args(s, world)), {"csrfmiddlewaretoken": "x"})
    # Then nothing of it changed
    assert _stored(target(world)) == before


@pytest.mark.parametrize(
    ("name", "args", "role", "target", "body"),
    [
        (*EDITS[0], {"name": "Mô hình \u202e", "member_count": "5"}),
        (*EDITS[0], {"member_count": str(10**30)}),
        (*EDITS[1], {"name": "Loại\u200b mới"}),
        (*EDITS[2], {"name": "Tổ \ufeffmới"}),
        (*EDITS[3], {"full_name": "Nguyễn\u200d Văn A"}),
        (*EDITS[4], {"household_count": "99999999999999"}),
        (*EDITS[4], {"signed_by": "Người\u202e ký"}),
    ],
)
def test_bad_input_on_an_edit_form_changes_nothing(
    client, s, world, name, args, role, target, body
):
    # Given a stored record
    before = _stored(target(world))
    login(client, s, role)
    # When its edit form carries a hidden character or an absurd number
    response = client.post(reverse(f"community:{name}", args=args(s, world)), body)
    # Then the form comes back with an error and nothing changed
    assert response.status_code == 400
    assert _stored(target(world)) == before
