# mypy: disable-error-code="arg-type, list-item, union-attr"
"""Pages: permissions (in scope, out of scope, anonymous), entry, upload, review, completeness."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.core.tabular import XLSX_CONTENT_TYPE
from binhyen.indicators.models import DataValue, Submission, SubmissionStatus
from binhyen.indicators.tests.factories import MetricFactory, form_with, link, old_unit, put, rule
from binhyen.orgunits.models import UnitKind
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country

pytestmark = pytest.mark.django_db
PERIOD = "2025M07"


@pytest.fixture(autouse=True)
def _no_otp(settings):
    # Two-factor is covered by the accounts app and the browser test; pages here are tested
    # for their own rules.
    settings.OTP_REQUIRED_ROLES = []


@pytest.fixture
def w():
    root = country()
    p = ProvinceFactory(code="94", name="Tỉnh Thử")
    a = CommuneFactory(code="94001", name="Xã An", parent=p, latitude=21.0, longitude=105.8)
    b = CommuneFactory(code="94002", name="Xã Bình", parent=p, latitude=21.1, longitude=105.9)
    closed = CommuneFactory(code="94003", name="Xã Đã Nhập", parent=p, valid_to=date(2025, 1, 1))
    old = old_unit("L94009", UnitKind.COMMUNE, root)
    link(old, a)
    tips = MetricFactory(code="t_tips", name="Tin báo", capture_kinds=["commune"])
    valuable = MetricFactory(code="t_valuable", name="Tin có giá trị", capture_kinds=["commune"])
    form = form_with([tips, valuable], code="t_monthly")
    rule("t_rule", valuable, "le", tips)
    put(tips, old, "2024M07", 8)
    officer = user_with_role(Role.COMMUNE_OFFICER, a)
    reviewer = user_with_role(Role.PROVINCE_OFFICER, p)
    return {
        "p": p,
        "a": a,
        "b": b,
        "closed": closed,
        "tips": tips,
        "valuable": valuable,
        "form": form,
        "officer": officer,
        "reviewer": reviewer,
    }


def report_url(w, unit="94001", period=PERIOD, name="indicators:report"):
    return reverse(name, args=[w["form"].code, unit, period])


# --- dashboard -------------------------------------------------------------------------------


def test_dashboard_permissions(client, w, settings):
    settings.INDICATORS_DASHBOARD_METRICS = ["t_tips", "t_valuable"]
    url = reverse("indicators:dashboard", args=["94001"])
    assert client.get(url).status_code == 302  # anonymous → login
    client.force_login(w["officer"])
    resp = client.get(url, {"period": "2025M07"})
    assert resp.status_code == 200
    assert client.get(reverse("indicators:dashboard", args=["94002"])).status_code == 404
    assert client.get(reverse("indicators:dashboard", args=["94"])).status_code == 404


def test_province_dashboard_shows_children_map_and_predecessors(client, w, settings):
    settings.INDICATORS_DASHBOARD_METRICS = ["t_tips", "t_valuable"]
    put(w["tips"], w["a"], "2025M07", 4)
    client.force_login(w["reviewer"])
    resp = client.get(reverse("indicators:dashboard", args=["94"]), {"period": "2025M07"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'data-testid="children-table"' in html and "Xã An" in html and "Xã Bình" in html
    assert "Xã Đã Nhập" not in html  # closed units are not current children
    assert 'id="children-map"' in html and 'id="trend-data"' in html
    assert 'data-testid="predecessor-note"' in html  # last year's figure came from L94009
    assert "t_monthly" in html  # completeness link for the form


def test_dashboard_exports_the_children_table(client, w, settings):
    settings.INDICATORS_DASHBOARD_METRICS = ["t_tips"]
    put(w["tips"], w["b"], "2025M07", 6)
    client.force_login(w["reviewer"])
    resp = client.get(
        reverse("indicators:dashboard", args=["94"]),
        {"period": "2025M07", "metric": "t_tips", "export": "xlsx"},
    )
    assert resp["Content-Type"] == XLSX_CONTENT_TYPE
    rows = list(load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True))
    assert rows[3][:3] == ("94002", "Xã Bình", 6) or rows[2][:3] == ("94002", "Xã Bình", 6)


def test_bad_period_shows_a_message_not_an_error(client, w, settings):
    settings.INDICATORS_DASHBOARD_METRICS = ["t_tips"]
    client.force_login(w["officer"])
    resp = client.get(reverse("indicators:dashboard", args=["94001"]), {"period": "2025M99"})
    assert resp.status_code == 200
    assert "2025M99" in resp.content.decode()


# --- report entry ----------------------------------------------------------------------------


def test_report_page_permissions(client, w):
    assert client.get(report_url(w)).status_code == 302
    client.force_login(w["officer"])
    assert client.get(report_url(w)).status_code == 200
    assert client.get(report_url(w, unit="94002")).status_code == 404
    assert client.get(report_url(w, period="2025Q3")).status_code == 404
    assert client.get(report_url(w, period="nonsense")).status_code == 404


def test_save_and_submit_through_the_page(client, w):
    client.force_login(w["officer"])
    resp = client.post(report_url(w), {"v_t_tips": "5", "v_t_valuable": "2", "action": "save"})
    assert resp.status_code == 302
    assert DataValue.objects.get(metric=w["tips"], orgunit=w["a"]).value == 5
    resp = client.post(report_url(w), {"v_t_tips": "5", "v_t_valuable": "2", "action": "submit"})
    assert resp.status_code == 302
    sub = Submission.objects.get()
    assert sub.status == SubmissionStatus.SUBMITTED
    page = client.get(report_url(w)).content.decode()
    assert "disabled" in page  # locked while waiting for review


def test_bad_cells_are_reported_and_nothing_saved(client, w):
    client.force_login(w["officer"])
    resp = client.post(report_url(w), {"v_t_tips": "abc", "v_t_valuable": "1.5", "action": "save"})
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "abc" in html and "Tin báo" in html
    assert not DataValue.objects.filter(orgunit__code__startswith="94").exists()
    resp = client.post(report_url(w), {"v_t_tips": "1", "v_t_valuable": "3", "action": "submit"})
    assert resp.status_code == 400
    assert "t_rule" in resp.content.decode()


def test_review_return_with_comment_then_approve(client, w):
    client.force_login(w["officer"])
    client.post(report_url(w), {"v_t_tips": "5", "v_t_valuable": "2", "action": "submit"})
    client.force_login(w["reviewer"])
    resp = client.post(report_url(w), {"action": "return", "comment": ""})
    assert resp.status_code == 400
    resp = client.post(report_url(w), {"action": "return", "comment": "Kiểm tra lại"})
    assert resp.status_code == 302
    assert Submission.objects.get().status == SubmissionStatus.RETURNED
    # the commune officer cannot approve their own report
    client.force_login(w["officer"])
    assert client.post(report_url(w), {"action": "approve"}).status_code == 404
    assert "Kiểm tra lại" in client.get(report_url(w)).content.decode()


def test_other_commune_cannot_post(client, w):
    other = user_with_role(Role.COMMUNE_OFFICER, w["b"])
    client.force_login(other)
    assert client.post(report_url(w), {"v_t_tips": "1", "action": "save"}).status_code == 404
    assert not DataValue.objects.filter(orgunit__code__startswith="94").exists()


# --- Excel template and upload -----------------------------------------------------------------


def _filled_template(client, w, cells):
    data = client.get(report_url(w, name="indicators:report_template")).content
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    for ref, value in cells.items():
        ws[ref] = value
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "bao_cao.xlsx"
    return out


def test_template_round_trip(client, w):
    client.force_login(w["officer"])
    resp = client.get(report_url(w, name="indicators:report_template"))
    assert resp["Content-Type"] == XLSX_CONTENT_TYPE
    upload = _filled_template(client, w, {"E7": 7, "E8": "3"})
    resp = client.post(report_url(w, name="indicators:report_upload"), {"file": upload})
    assert resp.status_code == 302
    assert DataValue.objects.get(metric=w["valuable"]).value == 3


def test_upload_with_wrong_cells_lists_each_and_saves_nothing(client, w):
    client.force_login(w["officer"])
    upload = _filled_template(client, w, {"E7": "mười", "E8": -2, "A9": "t_unknown", "E9": 1})
    resp = client.post(report_url(w, name="indicators:report_upload"), {"file": upload})
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "E7:" in html and "E8:" in html and "A9:" in html
    assert not DataValue.objects.filter(orgunit__code__startswith="94").exists()


def test_upload_for_another_unit_or_not_excel_is_refused(client, w):
    client.force_login(w["officer"])
    upload = _filled_template(client, w, {"B3": "94002", "E7": 1})
    resp = client.post(report_url(w, name="indicators:report_upload"), {"file": upload})
    assert resp.status_code == 400 and "B3" in resp.content.decode()
    junk = io.BytesIO(b"not a spreadsheet")
    junk.name = "x.xlsx"
    resp = client.post(report_url(w, name="indicators:report_upload"), {"file": junk})
    assert resp.status_code == 400
    assert not DataValue.objects.filter(orgunit__code__startswith="94").exists()


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("inf", "không phải là số hữu hạn"),
        ("-inf", "không phải là số hữu hạn"),
        ("1e400", "không phải là số hữu hạn"),
        ("nan", "không phải là số hữu hạn"),
        ("NaN", "không phải là số hữu hạn"),
        ("=1+1", "công thức"),
        ("=E8*2", "công thức"),
        (99_999_999_999_999, "không được lớn hơn 1000000000"),
    ],
)
def test_upload_refuses_formulas_infinity_nan_and_huge_numbers_keeping_the_stored_value(
    client, w, raw, says
):
    # Given 7 already stored for the first metric
    put(w["tips"], w["a"], PERIOD, 7)
    client.force_login(w["officer"])
    # When the template comes back with a formula, infinity, NaN or an absurd number in E7
    upload = _filled_template(client, w, {"E7": raw})
    resp = client.post(report_url(w, name="indicators:report_upload"), {"file": upload})
    # Then the upload is refused naming the sheet and the cell, and 7 is still stored
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "Trang “Báo cáo”, ô E7:" in html and says in html
    assert DataValue.objects.get(metric=w["tips"], orgunit=w["a"]).value == 7.0


def test_a_numeric_nan_cell_is_refused_and_deletes_nothing(client, w):
    # Given 7 stored, and a file whose E7 is a number cell holding "nan" (written by a script)
    put(w["tips"], w["a"], PERIOD, 7)
    client.force_login(w["officer"])
    upload = _filled_template(client, w, {"E7": 123456})
    raw = io.BytesIO()
    with zipfile.ZipFile(upload) as src, zipfile.ZipFile(raw, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v>123456</v>", b"<v>nan</v>")
            dst.writestr(item, data)
    raw.seek(0)
    raw.name = "bao_cao.xlsx"
    # When it is uploaded
    resp = client.post(report_url(w, name="indicators:report_upload"), {"file": raw})
    # Then it is refused as unreadable, and the stored value stays
    assert resp.status_code == 400 and "NaN" in resp.content.decode()
    assert DataValue.objects.get(metric=w["tips"], orgunit=w["a"]).value == 7.0


def test_a_blank_cell_keeps_the_stored_value_and_the_word_xoa_clears_it(client, w):
    # Given 7 and 3 stored
    put(w["tips"], w["a"], PERIOD, 7)
    put(w["valuable"], w["a"], PERIOD, 3)
    client.force_login(w["officer"])
    # When E7 is blanked (or NaN written by a program, which is a blank) and E8 says "xóa"
    upload = _filled_template(client, w, {"E7": float("nan"), "E8": " Xóa "})
    resp = client.post(report_url(w, name="indicators:report_upload"), {"file": upload})
    # Then 7 is kept and only the value the guidance sheet's word named is removed
    assert resp.status_code == 302
    assert DataValue.objects.get(metric=w["tips"], orgunit=w["a"]).value == 7.0
    assert not DataValue.objects.filter(metric=w["valuable"], orgunit=w["a"]).exists()


def test_the_template_explains_formulas_blanks_and_clearing_on_a_guidance_sheet(client, w):
    client.force_login(w["officer"])
    data = client.get(report_url(w, name="indicators:report_template")).content
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Báo cáo", "Hướng dẫn"]
    text = " ".join(str(c.value) for row in wb["Hướng dẫn"].iter_rows() for c in row)
    assert "công thức" in text and "giữ nguyên" in text and "“xóa”" in text


# --- completeness and lists ------------------------------------------------------------------


def test_completeness_counts_units_open_in_the_period(client, w):
    client.force_login(w["officer"])
    client.post(report_url(w), {"v_t_tips": "5", "v_t_valuable": "2", "action": "submit"})
    client.force_login(w["reviewer"])
    url = reverse("indicators:completeness", args=["t_monthly", "94", PERIOD])
    resp = client.get(url)
    assert resp.status_code == 200
    result = resp.context["result"]
    assert (result.total.expected, result.total.submitted) == (2, 1)  # the closed one is not due
    older = client.get(reverse("indicators:completeness", args=["t_monthly", "94", "2024M12"]))
    assert older.context["result"].total.expected == 3
    export = client.get(url, {"export": "xlsx"})
    assert export["Content-Type"] == XLSX_CONTENT_TYPE
    client.force_login(w["officer"])
    assert (
        client.get(reverse("indicators:completeness", args=["t_monthly", "94", PERIOD])).status_code
        == 404
    )


def test_completeness_filters_to_the_units_that_have_not_sent_and_sorts_by_rate(client, w):
    # given commune A submitted and B did not
    client.force_login(w["officer"])
    client.post(report_url(w), {"v_t_tips": "5", "v_t_valuable": "2", "action": "submit"})
    client.force_login(w["reviewer"])
    url = reverse("indicators:completeness", args=["t_monthly", "94", PERIOD])
    # when the page is filtered to the late units
    resp = client.get(url, {"show": "late"})
    # then only B is listed, and the filter is marked as current
    assert [r.unit.code for r in resp.context["result"].rows] == ["94002"]
    assert 'data-testid="filter-late"' in resp.content.decode()
    # and sorted by rate, the unit that has sent nothing comes first
    rows = client.get(url, {"sort": "rate"}).context["result"].rows
    assert rows[0].unit.code == "94002"
    # and an unknown filter value is ignored (every unit)
    assert len(client.get(url, {"show": "x<"}).context["result"].rows) == 2


def test_completeness_exports_the_whole_report_of_every_unit_in_one_workbook(client, w):
    # given commune A sent its report (5 tips, 2 valuable) and B did not
    client.force_login(w["officer"])
    client.post(report_url(w), {"v_t_tips": "5", "v_t_valuable": "2", "action": "submit"})
    client.force_login(w["reviewer"])
    url = reverse("indicators:completeness", args=["t_monthly", "94", PERIOD])
    # when the province downloads the report of all its communes
    resp = client.get(url, {"export": "report"})
    # then one sheet has a row per commune that must report, with each metric a column
    assert resp["Content-Type"] == XLSX_CONTENT_TYPE
    rows = list(load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "Mã đơn vị")
    assert "Tin báo (vụ)" in header and "Tin có giá trị (vụ)" in header
    by_code = {r[0]: r for r in rows if r and r[0] in ("94001", "94002", "94003")}
    assert set(by_code) == {"94001", "94002"}  # the closed commune is not due
    a = by_code["94001"]
    assert a[header.index("Tin báo (vụ)")] == 5 and a[header.index("Tin có giá trị (vụ)")] == 2
    assert by_code["94002"][header.index("Tin báo (vụ)")] is None
    assert by_code["94002"][header.index("Trạng thái")] == "Chưa lập"
    # and a commune officer cannot download the province's report (404)
    client.force_login(w["officer"])
    assert client.get(url, {"export": "report"}).status_code == 404


def test_the_report_and_completeness_exports_of_an_english_page_are_english(client, w, settings):
    # given a province reviewer who reads English
    client.force_login(w["reviewer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("indicators:completeness", args=["t_monthly", "94", PERIOD])
    # when they download the whole report and the completeness table
    report = client.get(url, {"export": "report"})
    completeness = client.get(url, {"export": "xlsx"})
    # then the headers (units of measure included) are English
    header = next(
        r
        for r in load_workbook(io.BytesIO(report.content)).active.iter_rows(values_only=True)
        if r and r[0] == "Unit code"
    )
    assert "Status" in header
    assert not any(h and "(vụ)" in str(h) for h in header)
    rows = list(load_workbook(io.BytesIO(completeness.content)).active.iter_rows(values_only=True))
    assert any(r and r[0] == "Unit code" for r in rows)


def test_report_list(client, w):
    assert client.get(reverse("indicators:report_list")).status_code == 302
    client.force_login(w["officer"])
    client.post(report_url(w), {"v_t_tips": "5", "v_t_valuable": "2", "action": "submit"})
    html = client.get(reverse("indicators:report_list")).content.decode()
    assert "Xã An" in html
    client.force_login(w["reviewer"])
    resp = client.get(reverse("indicators:report_list"))
    assert [s.orgunit.code for s in resp.context["queue"]] == ["94001"]


def test_home_redirects_to_the_users_unit(client, w):
    client.force_login(w["officer"])
    resp = client.get(reverse("indicators:home"))
    assert resp.status_code == 302 and resp["Location"].endswith("/indicators/u/94001/")


def test_a_viewer_reads_a_report_not_started_yet(client, w):
    # given a viewer of the province (the completeness table links every commune's report)
    viewer = user_with_role(Role.VIEWER, w["p"], username="xem")
    client.force_login(viewer)
    # when they open a commune's report that nobody has started
    response = client.get(report_url(w))
    # then they read it (read-only), and a unit outside their scope still answers 404
    assert response.status_code == 200
    assert 'name="action"' not in response.content.decode()
    client.force_login(user_with_role(Role.VIEWER, ProvinceFactory(code="95"), username="xa"))
    assert client.get(report_url(w)).status_code == 404
