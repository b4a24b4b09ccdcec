# mypy: disable-error-code="arg-type, list-item, union-attr"
"""Reads: completeness per child (open units only, on time vs late), review queue, scope."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.indicators import selectors
from binhyen.indicators.models import Submission, SubmissionStatus
from binhyen.indicators.periods import parse_period
from binhyen.indicators.tests.factories import MetricFactory, form_with
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PERIOD = parse_period("2025M07")


def _submit(form, unit, status, when):
    return Submission.objects.create(
        form=form,
        orgunit=unit,
        period=PERIOD.code,
        period_start=PERIOD.start,
        period_end=PERIOD.end,
        status=status,
        first_submitted_at=when,
        submitted_at=when,
    )


@pytest.fixture
def tree():
    root = country()
    p1, p2 = ProvinceFactory(code="97"), ProvinceFactory(code="98")
    a = CommuneFactory(code="97001", parent=p1)
    b = CommuneFactory(code="97002", parent=p1)
    CommuneFactory(code="97003", parent=p1, valid_to=date(2025, 6, 30))  # closed before July
    CommuneFactory(code="97004", parent=p1, valid_from=date(2025, 8, 1))  # opened after July
    c = CommuneFactory(code="98001", parent=p2)
    form = form_with([MetricFactory(code="t_m")])
    _submit(form, a, SubmissionStatus.APPROVED, datetime(2025, 8, 10, 9, tzinfo=TZ))
    _submit(form, b, SubmissionStatus.SUBMITTED, datetime(2025, 8, 20, 9, tzinfo=TZ))
    _submit(form, c, SubmissionStatus.DRAFT, None)
    return {"root": root, "p1": p1, "p2": p2, "a": a, "form": form}


def test_completeness_per_commune(tree):
    admin = user_with_role(Role.PROVINCE_OFFICER, tree["p1"])
    result = selectors.completeness(user=admin, form=tree["form"], unit=tree["p1"], period=PERIOD)
    assert result.deadline == date(2025, 8, 16)
    assert (result.total.expected, result.total.submitted) == (2, 2)
    assert (result.total.on_time, result.total.late, result.total.approved) == (1, 1, 1)
    by_code = {r.unit.code: r for r in result.rows}
    assert set(by_code) == {"97001", "97002"}
    assert by_code["97001"].submission.status == SubmissionStatus.APPROVED


def test_completeness_over_months_sums_each_month_in_the_same_queries(
    tree, django_assert_max_num_queries
):
    # Given July (2 of 2 communes sent) and August (97004 opened; nobody sent yet)
    admin = user_with_role(Role.PROVINCE_OFFICER, tree["p1"])
    months = [PERIOD, parse_period("2025M08")]
    one_by_one = [
        selectors.completeness(user=admin, form=tree["form"], unit=tree["p1"], period=m)
        for m in months
    ]
    # When both months are counted in one call
    with django_assert_max_num_queries(6):
        total, rows = selectors.completeness_over(
            user=admin, form=tree["form"], unit=tree["p1"], periods=months
        )
    # Then each total is the sum of the months (the closed 97003 counts in neither)
    assert total.expected == sum(c.total.expected for c in one_by_one) == 5
    assert total.submitted == sum(c.total.submitted for c in one_by_one) == 2
    by_code = {r.unit.code: (r.expected, r.submitted) for r in rows}
    assert by_code == {"97001": (2, 1), "97002": (2, 1), "97004": (1, 0)}


def test_completeness_rolls_up_per_province_for_the_ministry(tree):
    minister = user_with_role(Role.MINISTRY_OFFICER, tree["root"])
    result = selectors.completeness(
        user=minister, form=tree["form"], unit=tree["root"], period=PERIOD
    )
    by_code = {r.unit.code: r for r in result.rows}
    assert (by_code["97"].expected, by_code["97"].submitted, by_code["97"].rate) == (2, 2, 100.0)
    assert (by_code["98"].expected, by_code["98"].submitted, by_code["98"].rate) == (1, 0, 0.0)


def test_review_queue_and_scope(tree):
    reviewer = user_with_role(Role.PROVINCE_OFFICER, tree["p1"])
    assert [s.orgunit.code for s in selectors.review_queue(user=reviewer)] == ["97002"]
    other = user_with_role(Role.PROVINCE_OFFICER, tree["p2"])
    assert selectors.review_queue(user=other) == []
    with pytest.raises(Http404, match="97001"):
        selectors.unit_get(user=other, code="97001")


def test_entry_units_are_the_users_communes(tree):
    officer = user_with_role(Role.COMMUNE_OFFICER, tree["a"])
    assert [u.code for u in selectors.entry_units(user=officer)] == ["97001"]
    viewer = user_with_role(Role.VIEWER, tree["a"])
    assert selectors.entry_units(user=viewer) == []
