"""The history import: periods and units as people write them, every bad-row kind named,
all or nothing, permissions, the job (page and API), and the figures after import."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import login_verified, user_with_role
from binhyen.core.models import AuditEvent
from binhyen.indicators import engine, history_import
from binhyen.indicators.history_import import RawRow, parse_history_period
from binhyen.indicators.models import DataValue, Disaggregation, DisaggregationOption
from binhyen.indicators.periods import parse_period
from binhyen.indicators.tests.factories import MetricFactory, link
from binhyen.orgunits.models import Subkind, UnitKind
from binhyen.orgunits.tests.factories import CommuneFactory, OrgUnitFactory, ProvinceFactory
from binhyen.orgunits.tests.test_api_import import bearer

pytestmark = pytest.mark.django_db
CLOSED = date(2025, 6, 30)
REFORM = date(2025, 7, 1)


@pytest.fixture
def world() -> dict[str, Any]:
    new = ProvinceFactory(code="51", name="Tỉnh Mới")
    other = ProvinceFactory(code="52", name="Tỉnh Khác")
    old = ProvinceFactory(code="L51", name="Tỉnh Cũ", valid_to=CLOSED)
    a = OrgUnitFactory(
        code="L51001",
        official_code="51001",
        name="Xã Lương Phong",
        kind=UnitKind.COMMUNE,
        subkind=Subkind.XA,
        parent=old,
        valid_to=CLOSED,
    )
    b = OrgUnitFactory(
        code="L51002",
        name="Xã Yên Thượng",
        kind=UnitKind.COMMUNE,
        subkind=Subkind.XA,
        parent=old,
        valid_to=CLOSED,
        valid_from=date(2020, 1, 1),
    )
    s = CommuneFactory(code="51100", name="Xã Hiệp Hòa", parent=new, valid_from=REFORM)
    link(old, new)
    link(a, s)
    link(b, s)
    sex = Disaggregation.objects.create(code="t_sex", name="Giới tính")
    DisaggregationOption.objects.create(disaggregation=sex, code="nam", name="Nam")
    return {
        "new": new,
        "old": old,
        "a": a,
        "b": b,
        "s": s,
        "monthly": MetricFactory(code="t_sessions", name="Buổi tuyên truyền"),
        "yearly": MetricFactory(code="t_guns", name="Súng thu hồi", period_kind="year"),
        "by_sex": MetricFactory(code="t_people", name="Người", disaggregation=sex),
        "village": MetricFactory(code="t_village", name="Thôn", capture_kinds=["village"]),
        "auto": MetricFactory(code="t_auto", name="Tự động", source="provider", provider_key="x"),
        "officer": user_with_role(Role.PROVINCE_OFFICER, new),
        "stranger": user_with_role(Role.PROVINCE_OFFICER, other),
        "chief": user_with_role(Role.COMMUNE_CHIEF, s),
    }


def row(n: int, unit: str, metric: str, period: str, value: Any, option: str = "", name: str = ""):
    return RawRow(n, unit, name, metric, period, option, value)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2024", "2024"),
        ("06/2024", "2024M06"),
        ("6/2024", "2024M06"),
        ("Tháng 6/2024", "2024M06"),
        ("tháng 06/2024", "2024M06"),
        ("T6/2024", "2024M06"),
        ("2024-06", "2024M06"),
        ("2024M06", "2024M06"),
    ],
)
def test_periods_as_people_write_them(text, code):
    assert parse_history_period(text).code == code


@pytest.mark.parametrize("text", ["13/2024", "Q1/2024", "2024Q1", "hôm qua", ""])
def test_bad_periods(text):
    assert parse_history_period(text) is None if text else True


def test_happy_path_by_code_with_or_without_l_and_by_name(world):
    # given rows naming units by "L" code, bare code and name without diacritics
    rows = [
        row(2, "L51001", "t_sessions", "06/2024", 26),
        row(3, "51001", "t_guns", "2024", 7),
        row(4, "", "t_sessions", "Tháng 5/2024", 3, name="yen thuong"),
        row(5, "L51002", "t_people", "2023", 4, option="nam"),
    ]
    world["by_sex"].period_kind = "year"
    world["by_sex"].save()
    # when the province officer imports them
    outcome = history_import.history_import(actor=world["officer"], source=world["old"], rows=rows)
    # then all four are stored on the old communes, audited once
    assert outcome.ok, outcome.problems
    assert (outcome.created, outcome.replaced) == (4, 0)
    assert DataValue.objects.get(orgunit=world["a"], period="2024M06").value == 26
    assert DataValue.objects.get(orgunit=world["b"], period="2024M05").value == 3
    assert AuditEvent.objects.filter(action="history.import").count() == 1
    # and the new commune's figure for 2024 includes them (forwarded through the lineage)
    rows_out = engine.run(
        metrics=[world["monthly"]], units=[world["s"]], periods=[parse_period("2024")]
    )
    assert rows_out[0].value == 29 and rows_out[0].includes_predecessors
    # when the same file comes again with one number changed, then it replaces
    again = history_import.history_import(
        actor=world["officer"],
        source=world["old"],
        rows=[row(2, "L51001", "t_sessions", "06/2024", 30)],
    )
    assert (again.created, again.replaced) == (0, 1)
    assert DataValue.objects.get(orgunit=world["a"], period="2024M06").value == 30


def test_every_bad_row_is_named_and_nothing_is_saved(world):
    rows = [
        row(2, "L51001", "t_sessions", "06/2024", 1),  # good
        row(3, "L59999", "t_sessions", "06/2024", 1),  # unknown unit
        row(4, "L51001", "t_sessions", "08/2025", 1),  # no longer existed
        row(5, "L51002", "t_sessions", "06/2019", 1),  # not yet created
        row(6, "L51001", "t_village", "06/2024", 1),  # not captured at commune level
        row(7, "L51001", "t_nope", "06/2024", 1),  # unknown metric
        row(8, "L51001", "t_sessions", "13/2024", 1),  # bad period
        row(9, "L51001", "t_sessions", "2024", 1),  # yearly period for a monthly metric
        row(10, "L51001", "t_sessions", "07/2024", -5),  # out of range
        row(11, "L51001", "t_sessions", "07/2024", "abc"),  # not a number
        row(12, "L51001", "t_sessions", "06/2024", 2),  # duplicate of row 2
        row(13, "L51001", "t_auto", "06/2024", 2),  # computed automatically
        row(14, "L51001", "t_sessions", "09/2024", 2, option="nam"),  # no disaggregation
        row(15, "", "t_sessions", "09/2024", 2, name="xa khong co"),  # unknown name
    ]
    outcome = history_import.history_import(actor=world["officer"], source=world["old"], rows=rows)
    by_row = {p.row: (p.column, p.message) for p in outcome.problems}
    assert set(by_row) == set(range(3, 16))
    assert by_row[3][0] == "Mã đơn vị" and "L59999" in by_row[3][1]
    assert by_row[4][1] == "Xã Lương Phong không còn tồn tại vào 08/2025."
    assert "chưa được thành lập" in by_row[5][1]
    assert by_row[6][0] == "Mã chỉ tiêu" and "cấp xã" in by_row[6][1]
    assert by_row[8][0] == "Kỳ" and by_row[9][0] == "Kỳ"
    assert by_row[10][0] == "Giá trị" and "nhỏ hơn" in by_row[10][1]
    assert "dòng 2" in by_row[12][1]
    assert by_row[14][0] == "Phân tổ"
    assert by_row[15][0] == "Tên đơn vị"
    assert not DataValue.objects.exists()


def test_permission(world):
    rows = [row(2, "L51001", "t_sessions", "06/2024", 1)]
    # the officer of another province and a commune chief may not import into province 51
    for user in (world["stranger"], world["chief"]):
        with pytest.raises(history_import.PermissionDenied):
            history_import.import_sources(user=user, province=world["new"])
    # and rows on communes outside the caller's history are refused row by row
    outcome = history_import.history_import(actor=world["stranger"], source=world["old"], rows=rows)
    assert "quyền" in outcome.problems[0].message
    assert not DataValue.objects.exists()


def xlsx(rows: list[list[Any]]) -> SimpleUploadedFile:
    workbook = Workbook()
    for r in rows:
        workbook.active.append(r)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("lich-su.xlsx", buffer.getvalue())


HEADER = ["Mã đơn vị", "Tên đơn vị", "Mã chỉ tiêu", "Kỳ", "Phân tổ", "Giá trị"]


def test_page_template_upload_and_job(client, world, django_capture_on_commit_callbacks):
    login_verified(client, world["officer"])
    assert 'data-testid="history-import-link"' in client.get("/indicators/u/51/").content.decode()
    page = client.get("/indicators/history/51/")
    assert page.status_code == 200 and "Tỉnh Cũ" in page.content.decode()
    template = client.get("/indicators/history/51/template.xlsx?source=L51")
    sheet = load_workbook(io.BytesIO(template.content)).active
    listed = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert listed == ["L51001", "L51002"]
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/indicators/history/51/",
            {
                "source": "L51",
                "file": xlsx([HEADER, ["L51001", "", "t_sessions", "06/2024", "", 26]]),
            },
        )
    assert answer.status_code == 302
    job = client.get(answer["Location"])
    assert job.status_code == 200 and "1 số liệu mới" in job.content.decode()
    assert DataValue.objects.get(orgunit=world["a"]).value == 26


def test_page_permissions(client, world):
    for user in (world["stranger"], world["chief"]):
        login_verified(client, user)
        assert client.get("/indicators/history/51/").status_code == 404
        assert client.get("/indicators/history/51/template.xlsx").status_code == 404
        client.logout()
    assert client.get("/indicators/history/51/").status_code == 302


def test_api_upload_status_and_errors(client, world, django_capture_on_commit_callbacks):
    headers = bearer(world["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/api/v1/indicators/history/51/imports",
            {
                "source": "L51",
                "file": xlsx([HEADER, ["L51001", "", "t_sessions", "08/2025", "", 1]]),
            },
            **headers,
        )
    assert answer.status_code == 202, answer.content
    status = client.get(f"/api/v1/indicators/history-imports/{answer.json()['id']}", **headers)
    body = status.json()
    assert body["status"] == "failed" and body["problems"][0]["row"] == 2
    assert "không còn tồn tại vào 08/2025" in body["problems"][0]["message"]
    # another user does not see the job; an outsider cannot upload
    other = bearer(world["stranger"])
    assert (
        client.get(f"/api/v1/indicators/history-imports/{body['id']}", **other).status_code == 404
    )
    assert (
        client.post("/api/v1/indicators/history/51/imports", {"source": "L51"}, **other).status_code
        == 404
    )
    assert client.get("/api/v1/indicators/history/51/template").status_code == 401
