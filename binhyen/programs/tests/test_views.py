"""Pages: in scope, out of scope (404, never 403) and anonymous (sign-in) for every view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from binhyen.accounts.tests.factories import login_verified
from binhyen.programs import services
from binhyen.programs.models import Criterion, Enrollment, EnrollmentStatus
from binhyen.programs.tests import factories as f

pytestmark = pytest.mark.django_db


def _urls(w):
    code = w["program"].code
    return {
        "list": reverse("programs:index"),
        "detail": reverse("programs:detail", args=[code]),
        "editor": reverse("programs:set_editor", args=[code, 1]),
        "overview": reverse("programs:overview", args=[code]),
        "file": reverse("programs:enrollment", args=[w["done"].pk]),
        "certificate": reverse("programs:certificate", args=[w["done"].pk]),
        "evidence": reverse("programs:evidence_file", args=[w["evidence"].pk]),
        "decision": reverse("programs:decision", args=[w["decision"].pk]),
        "decision_docx": reverse("programs:decision_list", args=[w["decision"].pk]),
        "decision_scan": reverse("programs:decision_scan", args=[w["decision"].pk]),
        "export_xlsx": reverse("programs:set_export", args=[code, 1, "xlsx"]),
        "export_json": reverse("programs:set_export", args=[code, 1, "json"]),
    }


UNIT_PAGES = ["file", "certificate", "evidence", "decision", "decision_docx", "decision_scan"]


@pytest.mark.parametrize("name", UNIT_PAGES)
def test_file_pages_in_scope_out_of_scope_and_anonymous(client, s, world, name):
    # given a page of the commune's decided file
    url = _urls(world)[name]
    # when its officer opens it; then it is shown
    client.force_login(s.commune_officer)
    assert client.get(url).status_code == 200
    # when an officer of another province opens it; then 404, never 403
    client.force_login(s.far_officer)
    assert client.get(url).status_code == 404
    # when nobody is signed in; then the sign-in page
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "name", ["list", "detail", "editor", "overview", "export_xlsx", "export_json"]
)
def test_programme_pages_for_members_and_anonymous(client, s, world, name):
    # given a page of the national programme
    url = _urls(world)[name]
    # when any signed-in officer opens it; then it is shown
    client.force_login(s.far_officer)
    assert client.get(url).status_code == 200
    # when nobody is signed in; then the sign-in page
    client.logout()
    assert client.get(url).status_code == 302


def test_a_province_programme_is_invisible_to_other_provinces(client, s, world):
    # given a programme of the first province
    f.program(s.province_officer, owner=s.province, code="rieng-tinh")
    url = reverse("programs:detail", args=["rieng-tinh"])
    # then its commune sees it and another province gets 404
    client.force_login(s.commune_officer)
    assert client.get(url).status_code == 200
    client.force_login(s.far_officer)
    assert client.get(url).status_code == 404


def test_the_file_page_shows_x_of_y_and_the_numbers_behind_rules(client, s, world):
    # given the sibling commune's file, not yet assessed
    client.force_login(world["sibling_officer"])
    # when its officer opens it
    page = client.get(reverse("programs:enrollment", args=[world["pending"].pk])).content.decode()
    # then progress reads 2/4 and the rule shows the numbers behind it
    assert 'data-testid="progress-count">2/4<' in page
    assert "Kỳ trước" in page and ">10<" in page and ">8<" in page
    assert "Chưa tự đánh giá" in page


def test_the_file_page_speaks_labels_and_keeps_rule_text_for_the_editor(client, s, world):
    # given the sibling commune's file, whose rule criteria are written in CEL
    client.force_login(world["sibling_officer"])
    # when its officer opens it
    page = client.get(reverse("programs:enrollment", args=[world["pending"].pk])).content.decode()
    # then neither the rule text, nor metric codes, nor the word CEL reach the officer
    assert "m.crimes" not in page and "prev.crimes" not in page
    assert "<code" not in page and "CEL" not in page
    assert "Tính tự động từ số liệu" in page
    # and the criteria-set page, for whoever edits it, still shows the rule
    admin = world["admin"]
    login_verified(client, admin)
    editor = reverse("programs:set_editor", args=[world["program"].code, 1])
    assert "m.crimes" in client.get(editor).content.decode()


def test_verification_and_decision_pages_need_the_level(client, s, world):
    # given the sibling commune's file, submitted
    pending = world["pending"]
    f.evidence_ready(world["sibling_officer"], pending)
    services.enrollment_submit(actor=world["sibling_officer"], enrollment=pending)
    verify = reverse("programs:verify", args=[pending.pk])
    decide = reverse("programs:decide", args=[world["program"].code])
    # then a commune officer gets 404 and the province officer the pages
    client.force_login(s.commune_officer)
    assert client.get(verify).status_code == 404
    assert client.get(decide).status_code == 404
    login_verified(client, s.province_officer)
    assert client.get(verify).status_code == 200
    page = client.get(decide)
    assert page.status_code == 200
    # and a pass/fail programme's decision page has no column of zero points
    assert not page.context["scored"]
    assert ">Điểm<" not in page.content.decode()


@pytest.mark.parametrize("data", [{}, {"verdict": "bogus"}])
def test_an_empty_or_unknown_verdict_gives_the_form_back(client, s, world, data):
    # given a submitted file the province officer verifies
    pending = world["pending"]
    f.evidence_ready(world["sibling_officer"], pending)
    services.enrollment_submit(actor=world["sibling_officer"], enrollment=pending)
    criterion = pending.criteria_set.criteria.order_by("pk").first()
    login_verified(client, s.province_officer)
    # when the verdict is missing or unknown
    url = reverse("programs:verdict", args=[pending.pk, criterion.pk])
    response = client.post(url, data)
    # then the verification page comes back with the field error, not a server error
    assert response.status_code == 400
    assert "Chọn “Đồng ý” hoặc “Không đồng ý”." in response.content.decode()


def test_criterion_editor_is_for_managers_only(client, s, world):
    draft = services.criteria_set_new_version(actor=world["admin"], program=world["program"])
    url = reverse("programs:criterion_new", args=[world["program"].code, draft.version])
    client.force_login(s.commune_officer)
    assert client.get(url).status_code == 404
    login_verified(client, world["admin"])
    assert client.get(url).status_code == 200
    # a used version offers no editor
    used = reverse("programs:criterion_new", args=[world["program"].code, 1])
    assert client.get(used).status_code == 404


def test_live_cel_check_shows_the_error_position(client, s, world):
    login_verified(client, world["admin"])
    url = reverse("programs:rule_check", args=[world["program"].code, 1])
    response = client.post(
        url, {"expression": "m.crimes <=\n  prev.crimez"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'data-line="2"' in html and 'data-column="8"' in html
    assert "crimez" in html and "       ^" in html
    ok = client.post(url, {"expression": "m.crimes <= prev.crimes"}).content.decode()
    assert 'data-testid="cel-ok"' in ok


def test_saving_an_invalid_rule_keeps_the_form_with_the_position(client, s, world):
    draft = services.criteria_set_new_version(actor=world["admin"], program=world["program"])
    login_verified(client, world["admin"])
    url = reverse("programs:criterion_new", args=[world["program"].code, draft.version])
    response = client.post(
        url, {"code": "9", "title": "Sai", "kind": "rule", "order": 5, "expression": "m.x >"}
    )
    assert response.status_code == 400
    assert "dòng 1, cột 6" in response.content.decode()


def test_submitting_with_missing_evidence_lists_it_on_the_page(client, s, world):
    client.force_login(world["sibling_officer"])
    pending = world["pending"]
    response = client.post(reverse("programs:submit", args=[pending.pk]))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="submit-missing"' in html and "Chưa tự đánh giá" in html
    pending.refresh_from_db()
    assert pending.status == EnrollmentStatus.ENROLLED


def test_self_assessment_by_htmx_returns_the_card_and_the_new_count(client, s, world):
    client.force_login(world["sibling_officer"])
    pending = world["pending"]
    criterion = Criterion.objects.get(criteria_set=pending.criteria_set, code="4")
    services.evidence_add(
        actor=world["sibling_officer"], enrollment=pending, criterion=criterion, upload=f.png()
    )
    response = client.post(
        reverse("programs:assess", args=[pending.pk, criterion.pk]),
        {"self_met": "1", "note": "Có mô hình"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'hx-swap-oob="true"' in html and ">3/4<" in html


def test_deciding_out_of_scope_is_404(client, s, world):
    from binhyen.accounts.models import Role
    from binhyen.accounts.tests.factories import user_with_role

    stranger = user_with_role(Role.PROVINCE_OFFICER, s.other_province, username="tinh2")
    login_verified(client, stranger)
    response = client.post(reverse("programs:withdraw", args=[world["done"].pk]), {"reason": "Thử"})
    assert response.status_code == 404


def test_import_page_lists_row_errors(client, s, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from binhyen.programs import excel

    draft = services.criteria_set_new_version(actor=world["admin"], program=world["program"])
    document = excel.to_json(draft)
    document["criteria"][1]["expression"] = "m.khong_co >= 1.0"
    login_verified(client, world["admin"])
    import json

    upload = SimpleUploadedFile("bo.json", json.dumps(document).encode())
    response = client.post(
        reverse("programs:set_import", args=[world["program"].code, draft.version]),
        {"file": upload},
    )
    assert response.status_code == 400
    assert "Dòng 2, cột “Biểu thức CEL”" in response.content.decode()


@pytest.mark.parametrize("body", [{}, {"verdict": "bogus"}])
def test_a_verdict_without_a_valid_choice_gives_the_form_back(client, s, world, body):
    # Given a submitted file waiting for the province's verification
    pending = world["pending"]
    f.evidence_ready(world["sibling_officer"], pending)
    services.enrollment_submit(actor=world["sibling_officer"], enrollment=pending)
    assessment = pending.assessments.order_by("pk").first()
    before = (assessment.verdict, assessment.verified_met, assessment.verifier_comment)
    url = reverse("programs:verdict", args=[pending.pk, assessment.criterion_id])
    login_verified(client, s.province_officer)
    # When the verifier posts no verdict, or one that does not exist
    response = client.post(url, body)
    # Then the verification page comes back with the field error, and nothing changed
    assert response.status_code == 400
    assert "Chọn “Đồng ý” hoặc “Không đồng ý”." in response.content.decode()
    assessment.refresh_from_db()
    assert (assessment.verdict, assessment.verified_met, assessment.verifier_comment) == before


def _stored(obj):
    from django.forms.models import model_to_dict

    return model_to_dict(type(obj).objects.get(pk=obj.pk))


def test_a_post_with_only_the_csrf_token_to_the_programme_form_changes_nothing(client, world):
    # Given a stored programme and its criteria set
    program = world["program"]
    criteria_set = program.current_set
    before = (_stored(program), _stored(criteria_set))
    login_verified(client, world["admin"])
    # When its edit and set settings forms are posted with nothing but the CSRF token
    client.post(reverse("programs:edit", args=[program.code]), {"csrfmiddlewaretoken": "x"})
    client.post(
        reverse("programs:set_settings", args=[program.code, criteria_set.version]),
        {"csrfmiddlewaretoken": "x"},
    )
    # Then nothing of them changed
    assert (_stored(program), _stored(criteria_set)) == before


@pytest.mark.parametrize("body", [{"name": "Chương trình\u202e"}, {"name": ""}])
def test_bad_input_on_the_programme_form_changes_nothing(client, world, body):
    # Given a stored programme
    program = world["program"]
    before = _stored(program)
    login_verified(client, world["admin"])
    # When its edit form carries a hidden character or a blank name
    response = client.post(reverse("programs:edit", args=[program.code]), body)
    # Then the form comes back with the error and nothing changed
    assert response.status_code == 400
    assert _stored(program) == before


def test_overview_breadcrumbs_stop_at_the_users_scope(client, s, world):
    url = reverse("programs:overview", args=[world["program"].code])
    # given a commune officer, whose overview starts at their commune
    client.force_login(s.commune_officer)
    # when they open the overview
    body = client.get(url).content.decode()
    # then no breadcrumb leads up to the province (which would answer 404)
    assert f"unit={s.province.code}" not in body
    # while a province officer looking at a commune is offered the way back up
    login_verified(client, s.province_officer)
    body = client.get(f"{url}?unit={s.commune.code}").content.decode()
    assert f"unit={s.province.code}" in body


def _posts(w):
    code = w["program"].code
    done, pending = w["done"], w["pending"]
    criterion = pending.criteria_set.criteria.order_by("pk").first()
    return {
        "submit": reverse("programs:submit", args=[pending.pk]),
        "assess": reverse("programs:assess", args=[pending.pk, criterion.pk]),
        "return": reverse("programs:return", args=[pending.pk]),
        "withdraw": reverse("programs:withdraw", args=[done.pk]),
        "evidence_delete": reverse("programs:evidence_delete", args=[w["evidence"].pk]),
        "publish": reverse("programs:set_publish", args=[code, 1]),
        "new_version": reverse("programs:new_version", args=[code]),
        "edit": reverse("programs:edit", args=[code]),
    }


@pytest.mark.parametrize(
    "name",
    ["submit", "assess", "return", "withdraw", "evidence_delete", "publish", "new_version", "edit"],
)
def test_writes_out_of_scope_are_404_and_anonymous_ones_go_to_sign_in(client, s, world, name):
    # given a write page of the first province's files or of the national programme
    url = _posts(world)[name]
    statuses = dict(Enrollment.objects.values_list("pk", "status"))
    # when an officer of another province posts; then 404 and nothing changed
    client.force_login(s.far_officer)
    assert client.post(url, {"reason": "x", "comment": "x"}).status_code == 404
    for pk, status in statuses.items():
        assert Enrollment.objects.get(pk=pk).status == status
    # when nobody is signed in; then the sign-in page
    client.logout()
    response = client.post(url, {})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- programmes without a usable criteria set: no "Đăng ký" that cannot work ------------------

UNUSABLE = ["cong-an-phuong-kieu-mau", "xep-loai-phong-trao-xa"]
# who completes each: the ministry imports the model ward police criteria; each province
# localises the QĐ 510 classification and imports its own score sheet
WHO_IMPORTS = {"cong-an-phuong-kieu-mau": "Bộ Công an", "xep-loai-phong-trao-xa": "Công an tỉnh"}
DETAIL_WHO = {
    "cong-an-phuong-kieu-mau": "Bộ Công an (Cục Xây dựng phong trào",
    "xep-loai-phong-trao-xa": "Công an tỉnh bấm “Áp dụng”",
}


def _cards(html: str) -> dict[str, str]:
    """Split the list page into the card of each programme, keyed by its detail URL code."""
    cards = {}
    for chunk in html.split('<div class="col-12 col-md-6 col-xl-4">')[1:]:
        code = chunk.split('href="/programs/', 1)[1].split("/", 1)[0]
        cards[code] = chunk
    return cards


def test_the_list_offers_enrolment_only_for_programmes_with_a_published_set(client, s):
    # given a commune officer and the built-in programmes (two still without a set)
    login_verified(client, s.commune_officer)
    # when the list is shown
    cards = _cards(client.get(reverse("programs:index")).content.decode())
    # then the model commune is offered for enrolment, the unusable ones only for reading
    assert "Chi tiết, đăng ký" in cards["xa-dien-hinh"]
    for code in UNUSABLE:
        assert "Chi tiết, đăng ký" not in cards[code]
        assert "Chưa đăng ký được: chờ " + WHO_IMPORTS[code] in cards[code]


@pytest.mark.parametrize("code", UNUSABLE)
def test_an_unusable_programme_says_who_imports_and_shows_no_enrol_button(client, s, code):
    # given a commune officer who could enrol the commune in a usable programme
    login_verified(client, s.commune_officer)
    # when they open a programme without a published set
    html = client.get(reverse("programs:detail", args=[code])).content.decode()
    # then no enrolment form is offered; the page says who must import the criteria
    assert 'data-testid="enrol-form"' not in html
    assert 'data-testid="not-usable"' in html and DETAIL_WHO[code] in html
    assert 'data-testid="import-link"' not in html


def test_the_manager_of_an_unusable_programme_is_offered_the_import(client, s):
    # given the ministry officer who keeps national programmes
    admin = f.ministry_admin()
    login_verified(client, admin)
    # when they open the model ward police programme
    html = client.get(reverse("programs:detail", args=["cong-an-phuong-kieu-mau"])).content.decode()
    # then the page links to the import of its draft version
    editor = reverse("programs:set_editor", args=["cong-an-phuong-kieu-mau", 1])
    assert f'href="{editor}#import"' in html
    assert 'id="import"' in client.get(editor).content.decode()


def test_the_model_commune_programme_offers_enrolment_with_its_34_criteria(client, s):
    # given a commune officer
    login_verified(client, s.commune_officer)
    # when they open the model-commune programme
    html = client.get(reverse("programs:detail", args=["xa-dien-hinh"])).content.decode()
    # then they can enrol their commune, and the provisional criteria are listed by group
    assert 'data-testid="enrol-form"' in html and 'data-testid="not-usable"' not in html
    assert "I. Lãnh đạo của cấp ủy Đảng, chính quyền xã" in html
    assert html.count('text-bg-warning">cần tỉnh hoàn thiện</span>') == 32


def test_overview_lists_twenty_overdue_files_and_counts_the_rest(client, s, world, monkeypatch):
    # Given 22 more communes of the province enrolled, and a day long after the deadline
    from datetime import date

    from binhyen.orgunits.tests.factories import CommuneFactory
    from binhyen.programs import selectors

    for _ in range(22):
        services.enrollment_create(
            actor=s.province_officer,
            program=world["program"],
            unit=CommuneFactory(parent=s.province),
            period_code="2025",
        )
    monkeypatch.setattr(selectors, "today", lambda: date(2027, 6, 1))
    # When the province officer opens the overview of 2025
    login_verified(client, s.province_officer)
    url = reverse("programs:overview", args=[world["program"].code])
    body = client.get(f"{url}?period=2025").content.decode()
    # Then 20 of the 23 files not submitted are listed, and the other 3 are counted
    overdue = body.split('data-testid="overdue"')[1].split("</ul>")[0]
    assert overdue.count("chưa nộp, quá hạn") == 20
    assert "… và 3 hồ sơ chưa nộp khác" in overdue
    assert "chờ quyết định khác" not in overdue
