# mypy: disable-error-code="arg-type, list-item, union-attr"
"""/api/v1/indicators/reports/…: read, save, submit, review, upload and completeness, with
in-scope, out-of-scope, anonymous and viewer callers, and bad input refused whole."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.core.tabular import XLSX_CONTENT_TYPE
from binhyen.indicators.models import DataValue, Submission, SubmissionStatus
from binhyen.indicators.tests.factories import MetricFactory, form_with, put, rule
from binhyen.indicators.tests.test_api import bearer
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country

pytestmark = pytest.mark.django_db
PERIOD = "2025M07"


@pytest.fixture
def w():
    country()
    p = ProvinceFactory(code="95", name="Tỉnh Thử")
    a = CommuneFactory(code="95001", name="Xã An", parent=p)
    b = CommuneFactory(code="95002", name="Xã Bình", parent=p)
    CommuneFactory(code="95003", name="Xã Đã Nhập", parent=p, valid_to=date(2025, 1, 1))
    other = ProvinceFactory(code="96")
    tips = MetricFactory(code="t_tips", name="Tin báo", capture_kinds=["commune"])
    valuable = MetricFactory(code="t_valuable", name="Tin có giá trị", capture_kinds=["commune"])
    form = form_with([tips, valuable], code="t_monthly")
    rule("t_rule", valuable, "le", tips)
    return {
        "p": p,
        "a": a,
        "b": b,
        "tips": tips,
        "valuable": valuable,
        "form": form,
        "officer": user_with_role(Role.COMMUNE_OFFICER, a),
        "neighbour": user_with_role(Role.COMMUNE_OFFICER, b),
        "reviewer": user_with_role(Role.PROVINCE_OFFICER, p),
        "stranger": user_with_role(Role.PROVINCE_OFFICER, other),
        "viewer": user_with_role(Role.VIEWER, p),
    }


def url(unit="95001", period=PERIOD, action="", form="t_monthly"):
    base = f"/api/v1/indicators/reports/{form}/{unit}/{period}"
    return f"{base}/{action}" if action else base


def send(client, method, path, user=None, body=None):
    headers = bearer(user) if user is not None else {}
    return getattr(client, method)(
        path, data=json.dumps(body or {}), content_type="application/json", **headers
    )


def cells(tips=5, valuable=2):
    return {
        "values": [
            {"metric": "t_tips", "option": "", "value": tips},
            {"metric": "t_valuable", "value": valuable},
        ]
    }


def submitted(client, w):
    resp = send(client, "post", url(action="submit"), w["officer"], cells())
    assert resp.status_code == 200, resp.content
    return resp


def stored(w):
    return dict(DataValue.objects.filter(orgunit=w["a"]).values_list("metric__code", "value"))


# --- read ------------------------------------------------------------------------------------


def test_read_a_report_not_started_and_started(client, w):
    # given an officer of the unit / when reading a report never opened
    resp = client.get(url(), **bearer(w["officer"]))
    # then it is empty, editable, and lists every line of the form
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["status"] == "not_started" and body["editable"] is True
    assert [v["metric"] for v in body["values"]] == ["t_tips", "t_valuable"]
    # when values are saved, then the reviewer reads them with the history
    send(client, "put", url(action="values"), w["officer"], cells())
    resp = client.get(url(), **bearer(w["reviewer"]))
    body = resp.json()
    assert resp.status_code == 200
    assert {v["metric"]: v["value"] for v in body["values"]} == {"t_tips": 5, "t_valuable": 2}
    assert body["status"] == "draft" and body["can_review"] is True and body["editable"] is False
    assert [e["action"] for e in body["history"]] == ["submission.create", "data_value.save"]


def test_read_permissions(client, w):
    # given a report nobody started
    # then anonymous is 401, another commune and another province 404
    assert client.get(url()).status_code == 401
    assert client.get(url(), **bearer(w["neighbour"])).status_code == 404
    assert client.get(url(), **bearer(w["stranger"])).status_code == 404
    # and a viewer of the unit reads it, not started yet and then started (as on the page)
    resp = client.get(url(), **bearer(w["viewer"]))
    assert resp.status_code == 200 and resp.json()["status"] == "not_started"
    assert resp.json()["editable"] is False
    send(client, "put", url(action="values"), w["officer"], cells())
    assert client.get(url(), **bearer(w["viewer"])).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        url(form="t_nothing"),
        url(period="2025Q3"),
        url(period="nonsense"),
        url(unit="95"),  # a province does not submit the form
        url(unit="99999"),
    ],
)
def test_missing_form_period_or_unit_is_404(client, w, path):
    resp = client.get(path, **bearer(w["reviewer"]))
    assert resp.status_code == 404
    assert resp.json()["message"]


def test_report_list_shows_reports_to_fill_and_to_review(client, w):
    # given a report the officer submitted
    submitted(client, w)
    # then the officer sees it among the reports to fill, the reviewer in the queue
    resp = client.get("/api/v1/indicators/reports", **bearer(w["officer"]))
    assert resp.status_code == 200, resp.content
    fill = resp.json()["to_fill"]
    assert ("t_monthly", "95001") in {(r["form"], r["unit"]) for r in fill}
    assert {r["unit"] for r in fill} == {"95001"}
    queue = client.get("/api/v1/indicators/reports", **bearer(w["reviewer"])).json()["to_review"]
    assert [(r["unit"], r["period"], r["status"]) for r in queue] == [
        ("95001", PERIOD, "submitted")
    ]
    # another province and a viewer see nothing of it; anonymous is 401
    for who in ("stranger", "viewer", "neighbour"):
        body = client.get("/api/v1/indicators/reports", **bearer(w[who])).json()
        assert body["to_review"] == [], who
        assert "95001" not in {r["unit"] for r in body["to_fill"]}, who
    assert client.get("/api/v1/indicators/reports").status_code == 401


# --- save and submit -------------------------------------------------------------------------


def test_save_values_then_submit(client, w):
    # when the officer saves a draft
    resp = send(client, "put", url(action="values"), w["officer"], cells())
    # then the values are stored and the count of changed cells returned
    assert resp.status_code == 200, resp.content
    assert resp.json()["changed"] == 2
    assert stored(w) == {"t_tips": 5, "t_valuable": 2}
    # when a cell is left out, then it keeps its value; an explicit null clears it
    send(
        client,
        "put",
        url(action="values"),
        w["officer"],
        {"values": [{"metric": "t_tips", "value": 6}]},
    )
    assert stored(w) == {"t_tips": 6, "t_valuable": 2}
    # when submitting, then the report waits for review and is no longer editable
    resp = send(client, "post", url(action="submit"), w["officer"], {})
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "submitted" and resp.json()["editable"] is False
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED


def test_null_clears_a_value(client, w):
    send(client, "put", url(action="values"), w["officer"], cells())
    resp = send(
        client,
        "put",
        url(action="values"),
        w["officer"],
        {"values": [{"metric": "t_valuable", "value": None}]},
    )
    assert resp.status_code == 200
    assert stored(w) == {"t_tips": 5}


def test_write_permissions(client, w):
    # then anonymous 401; neighbour, other province, viewer and reviewer 404; nothing saved
    assert send(client, "put", url(action="values"), None, cells()).status_code == 401
    for who in ("neighbour", "stranger", "viewer", "reviewer"):
        for action, method in (("values", "put"), ("submit", "post")):
            resp = send(client, method, url(action=action), w[who], cells())
            assert resp.status_code == 404, (who, action)
    assert not DataValue.objects.exists() and not Submission.objects.exists()


@pytest.mark.parametrize(
    ("cell", "field"),
    [
        ({"metric": "t_unknown", "value": 1}, "values[1].metric"),
        ({"metric": "t_valuable", "option": "x", "value": 1}, "values[1].metric"),
        ({"metric": "t_valuable", "value": 1.5}, "values[1].value"),
        ({"metric": "t_valuable", "value": -2}, "values[1].value"),
    ],
)
def test_bad_cell_is_400_naming_it_and_nothing_saved(client, w, cell, field):
    # given a stored value
    send(
        client,
        "put",
        url(action="values"),
        w["officer"],
        {"values": [{"metric": "t_tips", "value": 7}]},
    )
    # when a batch carries one bad cell
    body = {"values": [{"metric": "t_tips", "value": 9}, cell]}
    resp = send(client, "put", url(action="values"), w["officer"], body)
    # then 400 names the cell and the good cell of the batch is not saved either
    assert resp.status_code == 400, resp.content
    assert resp.json()["field"] == field
    assert stored(w) == {"t_tips": 7}


def test_non_finite_value_is_refused(client, w):
    send(
        client,
        "put",
        url(action="values"),
        w["officer"],
        {"values": [{"metric": "t_tips", "value": 7}]},
    )
    raw = '{"values": [{"metric": "t_tips", "value": NaN}]}'
    resp = client.put(
        url(action="values"), data=raw, content_type="application/json", **bearer(w["officer"])
    )
    assert resp.status_code in (400, 422)
    assert resp.json()["field"] == "values[0].value" or "value" in resp.json()["field"]
    assert stored(w) == {"t_tips": 7}


def test_submit_refused_when_incomplete_or_rule_broken(client, w):
    # when submitting with a metric missing, then 400 names it and the status stays draft
    resp = send(
        client,
        "post",
        url(action="submit"),
        w["officer"],
        {"values": [{"metric": "t_tips", "value": 1}]},
    )
    assert resp.status_code == 400
    assert "Tin có giá trị" in resp.json()["message"]
    # when the rule valuable ≤ tips breaks, then 400 names the rule
    resp = send(client, "post", url(action="submit"), w["officer"], cells(tips=1, valuable=3))
    assert resp.status_code == 400
    assert "t_rule" in resp.content.decode() or "Quy tắc" in resp.content.decode()
    assert Submission.objects.get().status == SubmissionStatus.DRAFT


def test_submitted_report_refuses_changes_with_409(client, w):
    submitted(client, w)
    resp = send(client, "put", url(action="values"), w["officer"], cells(tips=9))
    assert resp.status_code == 409
    assert send(client, "post", url(action="submit"), w["officer"], {}).status_code == 409
    assert stored(w) == {"t_tips": 5, "t_valuable": 2}


# --- review ----------------------------------------------------------------------------------


def test_return_with_comment_then_approve_then_reopen(client, w):
    submitted(client, w)
    # when returning without a comment, then 400 names the comment
    resp = send(client, "post", url(action="return"), w["reviewer"], {"comment": " "})
    assert resp.status_code == 400 and resp.json()["field"] == "comment"
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED
    # when returning with a comment, then the unit can edit again and sees the comment
    resp = send(client, "post", url(action="return"), w["reviewer"], {"comment": "Kiểm tra lại"})
    assert resp.status_code == 200 and resp.json()["status"] == "returned"
    assert client.get(url(), **bearer(w["officer"])).json()["comment"] == "Kiểm tra lại"
    submitted(client, w)
    resp = send(client, "post", url(action="approve"), w["reviewer"], {})
    assert resp.status_code == 200 and resp.json()["status"] == "approved"
    resp = send(client, "post", url(action="reopen"), w["reviewer"], {"comment": "Sửa số liệu"})
    assert resp.status_code == 200 and resp.json()["status"] == "reopened"


def test_review_state_conflicts_are_409(client, w):
    # nothing to review yet
    assert send(client, "post", url(action="approve"), w["reviewer"], {}).status_code == 409
    submitted(client, w)
    # a submitted report cannot be reopened; an approved one cannot be approved again
    assert (
        send(client, "post", url(action="reopen"), w["reviewer"], {"comment": "x"}).status_code
        == 409
    )
    send(client, "post", url(action="approve"), w["reviewer"], {})
    assert send(client, "post", url(action="approve"), w["reviewer"], {}).status_code == 409
    assert Submission.objects.get().status == SubmissionStatus.APPROVED


def test_review_permissions(client, w):
    submitted(client, w)
    assert send(client, "post", url(action="approve"), None, {}).status_code == 401
    # the unit itself, another province and a viewer cannot approve: 404, status unchanged
    for who in ("officer", "stranger", "viewer", "neighbour"):
        resp = send(client, "post", url(action="approve"), w[who], {})
        assert resp.status_code == 404, who
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED


# --- Excel template and upload ---------------------------------------------------------------


def filled(client, w, values):
    data = client.get(url(action="template"), **bearer(w["officer"])).content
    wb = load_workbook(io.BytesIO(data))
    for ref, value in values.items():
        wb.active[ref] = value
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "bao_cao.xlsx"
    return out


def upload(client, user, fileobj):
    return client.post(url(action="upload"), {"file": fileobj}, **bearer(user))


def test_template_and_upload_round_trip(client, w):
    resp = client.get(url(action="template"), **bearer(w["officer"]))
    assert resp.status_code == 200 and resp["Content-Type"] == XLSX_CONTENT_TYPE
    resp = upload(client, w["officer"], filled(client, w, {"E7": 7, "E8": "3"}))
    assert resp.status_code == 200, resp.content
    assert resp.json()["changed"] == 2
    assert stored(w) == {"t_tips": 7, "t_valuable": 3}


def test_upload_lists_every_bad_row_and_saves_nothing(client, w):
    put(w["tips"], w["a"], PERIOD, 4)
    resp = upload(
        client,
        w["officer"],
        filled(client, w, {"E7": "mười", "E8": -2, "A9": "t_unknown", "E9": 1}),
    )
    assert resp.status_code == 400
    errors = resp.json()["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(7, "E7"), (8, "E8"), (9, "A9")]
    assert stored(w) == {"t_tips": 4}


def test_upload_of_another_unit_or_not_excel_is_refused(client, w):
    resp = upload(client, w["officer"], filled(client, w, {"B3": "95002", "E7": 1}))
    assert resp.status_code == 400 and "B3" in resp.json()["message"]
    assert resp.json()["errors"][0]["field"] == "file"
    junk = io.BytesIO(b"not a spreadsheet")
    junk.name = "x.xlsx"
    assert upload(client, w["officer"], junk).status_code == 400
    resp = client.post(url(action="upload"), {}, **bearer(w["officer"]))
    assert resp.status_code == 400 and resp.json()["field"] == "file"
    assert not DataValue.objects.exists()


def test_template_and_upload_permissions(client, w):
    good = filled(client, w, {"E7": 1, "E8": 1})
    assert client.get(url(action="template")).status_code == 401
    assert client.post(url(action="upload"), {"file": good}).status_code == 401
    for who in ("neighbour", "stranger", "viewer", "reviewer"):
        assert client.get(url(action="template"), **bearer(w[who])).status_code == 404, who
        good.seek(0)
        assert upload(client, w[who], good).status_code == 404, who
    assert not DataValue.objects.exists()


def test_upload_into_a_submitted_report_is_409(client, w):
    submitted(client, w)
    resp = upload(client, w["officer"], filled(client, w, {"E7": 9}))
    assert resp.status_code == 409
    assert stored(w) == {"t_tips": 5, "t_valuable": 2}


# --- completeness ----------------------------------------------------------------------------


def test_completeness_counts_children(client, w):
    submitted(client, w)
    resp = client.get(url(unit="95", action="completeness"), **bearer(w["reviewer"]))
    assert resp.status_code == 200, resp.content
    body = resp.json()
    # the closed commune is not due in July 2025
    assert (body["total"]["expected"], body["total"]["submitted"], body["total"]["missing"]) == (
        2,
        1,
        1,
    )
    rows = {r["unit"]: r for r in body["rows"]}
    # submitted today, long after the deadline of July 2025: late
    assert rows["95001"]["status"] == "submitted" and rows["95001"]["late"] == 1
    assert rows["95002"]["status"] == "not_started" and rows["95002"]["missing"] == 1
    older = client.get(
        url(unit="95", period="2024M12", action="completeness"), **bearer(w["reviewer"])
    )
    assert older.json()["total"]["expected"] == 3


def test_completeness_permissions(client, w):
    path = url(unit="95", action="completeness")
    assert client.get(path).status_code == 401
    assert client.get(path, **bearer(w["officer"])).status_code == 404
    assert client.get(path, **bearer(w["stranger"])).status_code == 404
    assert client.get(path, **bearer(w["viewer"])).status_code == 200
    assert (
        client.get(
            url(unit="95", period="bad", action="completeness"), **bearer(w["reviewer"])
        ).status_code
        == 404
    )
