"""The issue's acceptance scenarios, end to end through the services and the pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from binhyen.accounts.tests.factories import login_verified
from binhyen.community.tests.factories import scheme
from binhyen.indicators import selectors as ind_selectors
from binhyen.indicators import services as ind_services
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.targets import selectors, services
from binhyen.targets.models import AllocationMethod
from binhyen.targets.progress import Status
from binhyen.targets.tests.factories import plan, scene, schemes_target, this_year

pytestmark = pytest.mark.django_db


def _build(actor, commune, count):
    year = this_year()
    for i in range(count):
        scheme(actor, [commune], name=f"Tổ tự quản số {i + 1}", founded_on=date(year, 2, 1 + i))


def test_province_allocates_by_population_and_reads_actual_against_target(client):
    s = scene(populations=(30000, 30000))
    kh = plan(s.officer, s.province)
    target = schemes_target(s.officer, s.province, 12, plan=kh)
    allocation = services.allocation_create(
        actor=s.officer, target=target, method=AllocationMethod.POPULATION
    )
    assert sorted(sh.value for sh in allocation.shares.all()) == [6.0, 6.0]
    _build(s.officer, s.communes[0], 9)
    _build(s.officer, s.communes[1], 3)

    detail = selectors.target_detail(user=s.officer, target=target)
    assert detail.progress.actual == 12
    assert detail.progress.label == "đạt 100 %"
    rows = {r.unit.code: r for r in detail.children}
    first, second = rows[s.communes[0].code], rows[s.communes[1].code]
    assert first.progress.actual == 9 and first.progress.target.value == 6
    assert first.progress.label == "đạt 150 % — vượt chỉ tiêu"
    assert first.progress.status == Status.EXCEEDED
    assert second.progress.label == "đạt 50 %"
    assert second.progress.status == Status.NOT_MET

    login_verified(client, s.officer)
    page = client.get(reverse("targets:unit", args=[s.province.code]) + f"?year={this_year()}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "đạt 150 % — vượt chỉ tiêu" in text
    assert "đạt 50 %" in text
    detail_page = client.get(reverse("targets:target", args=[target.pk]))
    assert "đạt 150 % — vượt chỉ tiêu" in detail_page.content.decode()


def test_four_week_campaign_with_weekly_reporting(client):
    s = scene()
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday()) - timedelta(weeks=3)
    weekly = ind_services.metric_create(
        actor=_admin(),
        code="weapons_weekly",
        name="Vũ khí vận động giao nộp trong tuần",
        value_type="integer",
        aggregation="sum",
        period_kind=PeriodKind.WEEK,
        capture_kinds=["commune"],
    )
    campaign = services.campaign_create(
        actor=s.officer,
        unit=s.province,
        data=services.CampaignInput(
            name="Đợt cao điểm vận động giao nộp vũ khí",
            start=monday,
            end=monday + timedelta(days=27),
            frequency="week",
            units=s.communes,
            tracked=[(weekly, 40)],
        ),
    )
    weeks = services.campaign_periods(campaign)
    assert len(weeks) == 4
    form = campaign.form
    assert form is not None
    # Forms appear for the campaign's weeks only.
    before = Period.containing(PeriodKind.WEEK, monday - timedelta(days=7))
    with pytest.raises(Exception) as refused:
        ind_services.submission_open(
            actor=s.chief, form=form, unit=s.communes[0], period_code=before.code
        )
    assert "nằm ngoài đợt" in str(refused.value)
    assert form in ind_selectors.forms_for_unit(s.communes[0])
    assert form not in ind_selectors.forms_for_unit(s.far_commune)
    # The first commune reports the three weeks that ended; the second reports none.
    for week, value in zip(weeks[:3], (10, 12, 8), strict=True):
        sub = ind_services.submission_open(
            actor=s.chief, form=form, unit=s.communes[0], period_code=week.code
        )
        ind_services.submission_save_values(
            actor=s.chief,
            submission=sub,
            values=[ind_services.ValueInput(metric=weekly, value=value)],
        )
        ind_services.submission_submit(actor=s.chief, submission=sub)
    completeness = ind_selectors.completeness(
        user=s.officer, form=form, unit=s.province, period=weeks[0]
    )
    assert (completeness.total.expected, completeness.total.submitted) == (2, 1)

    board = selectors.campaign_board(user=s.officer, campaign=campaign)
    assert board.totals[0].actual == 30 and board.totals[0].target == 40
    assert board.totals[0].label == "đạt 75 %"
    assert [u.code for _p, us in board.not_reported for u in us] == [s.communes[1].code] * 3
    login_verified(client, s.officer)
    page = client.get(reverse("targets:campaign", args=[campaign.pk]))
    assert page.status_code == 200
    assert "đạt 75 %" in page.content.decode()
    closed = client.post(reverse("targets:campaign_close", args=[campaign.pk]))
    assert closed.status_code == 302
    campaign.refresh_from_db()
    assert campaign.summary["figures"][0]["actual"] == 30
    assert campaign.summary["best"][0] == s.communes[0].code
    assert campaign.summary["lagging"][0] == s.communes[1].code


def _admin():
    from binhyen.accounts.models import Role
    from binhyen.accounts.tests.factories import user_with_role
    from binhyen.orgunits.tests.factories import country

    return user_with_role(Role.SYSTEM_ADMIN, country(), username="quantri")
