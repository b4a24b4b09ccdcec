"""Providers: the community's numbers as ordinary values the indicators engine returns."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.community import providers, services
from binhyen.community.tests import factories as f
from binhyen.indicators import selectors as indicator_selectors
from binhyen.indicators.models import DataValue, Metric
from binhyen.indicators.periods import parse_period
from binhyen.indicators.providers import registry
from binhyen.orgunits.models import Subkind

pytestmark = pytest.mark.django_db
MONTH = "2025M06"


def values(provider, code: str, period: str = MONTH) -> dict[tuple[int, str], float]:
    rows = list(provider.values(metric_code=code, period=parse_period(period)))
    keys = Counter((r.orgunit_id, r.option) for r in rows)
    assert all(n == 1 for n in keys.values()), "a (unit, option) appears twice"
    return {(r.orgunit_id, r.option): r.value for r in rows}


def test_providers_are_registered_and_their_metrics_are_computed():
    # Given the community providers
    # When the registry and the metric catalogue are read
    # Then each metric is computed by its provider
    for provider in providers.PROVIDERS:
        assert registry.get(provider.key) is provider
        for code in provider.metric_codes:
            metric = Metric.objects.get(code=code)
            assert metric.source == "provider" and metric.provider_key == provider.key
    schemes = Metric.objects.get(code="schemes_active")
    assert schemes.disaggregation is not None
    assert schemes.disaggregation.code == "scheme_kind"
    assert Metric.objects.get(code="security_team_grades").period_kind == "team_year"


def test_scheme_counts_by_category_with_zeros_and_clusters(s):
    # Given running, suspended and cross-commune schemes
    admin = user_with_role(Role.SYSTEM_ADMIN, s.province.parent)
    admin.is_superuser = True
    admin.save()
    f.scheme(s.commune_officer, [s.village], founded_on=date(2025, 1, 1))
    f.scheme(s.commune_officer, [s.commune, s.village], founded_on=date(2025, 1, 1), name="Hai")
    stopped = f.scheme(
        s.commune_officer, [s.village], code="to_hoa_giai", founded_on=date(2025, 1, 1)
    )
    # When the scheme provider computes the month
    services.scheme_status_set(
        actor=s.commune_officer, scheme=stopped, status="suspended", since=date(2025, 5, 1)
    )
    f.scheme(admin, [s.commune, s.far_commune], code="cum_giap_ranh", founded_on=date(2025, 2, 1))
    got = values(providers.SchemeProvider(), "schemes_active")
    # Then each commune counts its schemes per category, with explicit zeros
    assert got[(s.commune.pk, "to_tu_quan")] == 2  # the scheme covering commune and village once
    assert got[(s.commune.pk, "to_hoa_giai")] == 0  # suspended: an explicit zero
    assert got[(s.commune.pk, "cum_giap_ranh")] == 1
    assert got[(s.far_commune.pk, "cum_giap_ranh")] == 1  # a cluster counts in each commune
    assert (s.sibling_commune.pk, "to_tu_quan") not in got  # never had one: no value
    earlier = values(providers.SchemeProvider(), "schemes_active", "2025M04")
    assert earlier[(s.commune.pk, "to_hoa_giai")] == 1


def test_closed_communes_get_no_values_after_closing(s):
    # Given a commune closed at the end of June with a scheme
    old = f.commune(s.province, valid_to=date(2025, 6, 30))
    officer = user_with_role(Role.COMMUNE_OFFICER, old)
    f.scheme(officer, [old], founded_on=date(2024, 1, 1))
    # When the provider computes June and July
    # Then only June has a value
    assert values(providers.SchemeProvider(), "schemes_active", "2025M06")[(old.pk, "to_tu_quan")]
    assert not values(providers.SchemeProvider(), "schemes_active", "2025M07")


def test_scheme_sites_count_running_sites(s):
    # Given a scheme with two sites, one ended in June
    scheme = f.scheme(s.commune_officer, [s.village], founded_on=date(2025, 1, 1))
    # When the provider computes May and June
    services.scheme_site_add(
        actor=s.commune_officer, scheme=scheme, unit=s.village, established_on=date(2025, 2, 1)
    )
    site = services.scheme_site_add(
        actor=s.commune_officer, scheme=scheme, unit=s.commune, established_on=date(2025, 2, 1)
    )
    services.scheme_site_end(actor=s.commune_officer, site=site, ended_on=date(2025, 6, 1))
    # Then the ended site no longer counts in June
    assert values(providers.SchemeProvider(), "scheme_sites", "2025M05") == {(s.commune.pk, ""): 2}
    assert values(providers.SchemeProvider(), "scheme_sites", "2025M06") == {(s.commune.pk, ""): 1}


def test_team_and_member_counts(s):
    # Given a team with a leader and a member who left in March
    team = f.team(s.commune_officer, s.village, established_on=date(2024, 7, 1))
    f.member(s.commune_officer, team, role="leader")
    left = f.member(s.commune_officer, team)
    # When the team provider computes the months
    services.team_member_update(
        actor=s.commune_officer,
        member=left,
        full_name=left.full_name,
        birth_date=left.birth_date,
        role=left.role,
        origin=left.origin,
        joined_on=left.joined_on,
        left_on=date(2025, 3, 1),
    )
    provider = providers.TeamProvider()
    # Then teams and members are counted per role on each day
    assert values(provider, "security_teams") == {(s.commune.pk, ""): 1}
    assert values(provider, "team_members") == {
        (s.commune.pk, "leader"): 1,
        (s.commune.pk, "member"): 0,
    }
    assert values(provider, "team_members", "2025M02")[(s.commune.pk, "member")] == 1


def test_pledge_counts(s):
    # Given village, household and school pledges signed at different dates
    year = 2025
    second = f.village(s.commune, households=200)
    f.pledge(s.commune_officer, s.village, year=year, signed_on=date(year, 1, 10))
    f.pledge(s.commune_officer, second, year=year, signed_on=date(year, 3, 10))
    f.pledge(
        s.commune_officer,
        second,
        kind="households",
        year=year,
        signed_on=date(year, 1, 10),
        household_count=150,
    )
    school = f.establishment(s.commune, subkind=Subkind.CO_SO_GIAO_DUC)
    f.pledge(s.commune_officer, school, kind="school", year=year, signed_on=date(year, 2, 1))
    provider = providers.PledgeProvider()
    # When the pledge provider computes the months
    # Then each count follows the signing dates
    assert values(provider, "villages_pledged", "2025M02") == {(s.commune.pk, ""): 1}
    assert values(provider, "villages_pledged", "2025M03") == {(s.commune.pk, ""): 2}
    assert values(provider, "villages_pledged", "2026M01") == {(s.commune.pk, ""): 0}
    assert values(provider, "households_registered", "2025M02") == {(second.pk, ""): 150}
    assert values(provider, "establishments_pledged", "2025M02") == {(s.commune.pk, ""): 1}


def test_the_engine_returns_the_scheme_count_of_a_commune_and_rolls_it_up(s):
    # given schemes recorded in this month (services publish them as they are saved)
    f.scheme(s.commune_officer, [s.village])
    f.scheme(s.commune_officer, [s.village], code="to_hoa_giai", name="Tổ hòa giải")
    period = f.today().strftime("%YM%m")
    # when the dashboard engine is asked for the commune and its province
    result = indicator_selectors.analytics(
        user=s.province_officer,
        metric_codes=["schemes_active"],
        unit_codes=[s.commune.code, s.province.code],
        period_codes=[period],
        compare=False,
    )
    # then it answers with ordinary values, rolled up the tree
    assert [(r.unit, r.value) for r in result.rows] == [(s.commune.code, 2), (s.province.code, 2)]
    by_kind = indicator_selectors.analytics(
        user=s.commune_officer,
        metric_codes=["schemes_active"],
        unit_codes=[s.commune.code],
        period_codes=[period],
        compare=False,
        disaggregate=True,
    )
    got = {r.option: r.value for r in by_kind.rows if r.value}
    assert got == {"to_tu_quan": 1, "to_hoa_giai": 1}
    assert DataValue.objects.filter(metric__code="schemes_active", source="provider").exists()


def test_a_running_scheme_on_communes_closed_by_the_reform_counts_once_at_the_successor(s):
    # Given two communes closed by the reform, merged into the current commune, and one
    # scheme covering both, still running
    from binhyen.indicators import engine
    from binhyen.indicators.services import provider_values_sync
    from binhyen.indicators.tests.factories import link

    olds = [f.commune(s.province, valid_to=date(2025, 6, 30)) for _ in range(2)]
    for old in olds:
        link(old, s.commune)
    officer = user_with_role(Role.COMMUNE_OFFICER, olds[0])
    officer.is_superuser = True
    officer.save()
    f.scheme(officer, olds, founded_on=date(2024, 1, 1))
    # When the provider publishes June (before the reform) and today's month after it
    june = values(providers.SchemeProvider(), "schemes_active", "2025M06")
    july = list(
        providers.SchemeProvider().values(
            metric_code="schemes_active", period=parse_period("2025M07")
        )
    )
    # Then June counts it on each old commune, July on the successor, as one item
    assert june[(olds[0].pk, "to_tu_quan")] == 1 and june[(olds[1].pk, "to_tu_quan")] == 1
    assert [(v.orgunit_id, v.value, len(v.items)) for v in july] == [(s.commune.pk, 1.0, 1)]
    # and the engine counts the scheme once at the commune and the province in both months
    metric = Metric.objects.get(code="schemes_active")
    for month in ("2025M06", "2025M07"):
        provider_values_sync(actor=None, metric=metric, period_code=month)
        rows = engine.run(
            metrics=[metric], units=[s.commune, s.province], periods=[parse_period(month)],
            compare=False,
        )  # fmt: skip
        assert {r.unit: r.value for r in rows} == {s.commune.code: 1, s.province.code: 1}
