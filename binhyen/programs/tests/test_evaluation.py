"""The recognition condition, classification with caps, and live progress with figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from binhyen.indicators.periods import parse_period
from binhyen.indicators.tests.factories import put
from binhyen.programs import evaluation, figures, services
from binhyen.programs.tests import factories as f

pytestmark = pytest.mark.django_db


@settings(max_examples=200, deadline=None)
@given(
    items=st.lists(st.tuples(st.booleans(), st.booleans()), max_size=12),
    min_optional=st.integers(min_value=0, max_value=6),
    points=st.integers(min_value=0, max_value=100),
    min_points=st.one_of(st.none(), st.integers(min_value=0, max_value=100)),
)
def test_condition_is_all_mandatory_plus_enough_others(items, min_optional, points, min_points):
    # given any mix of mandatory/optional criteria met or not, and a points threshold
    result = evaluation.condition_met(
        items,
        min_optional_met=min_optional,
        points_total=Decimal(points),
        min_points=Decimal(min_points) if min_points is not None else None,
    )
    # then it holds exactly when every mandatory one is met, enough others are, and points
    expected = (
        all(met for mandatory, met in items if mandatory)
        and sum(1 for mandatory, met in items if not mandatory and met) >= min_optional
        and (min_points is None or points >= min_points)
    )
    assert result is expected


LEVELS = [
    {"level": "excellent", "min_points": 90},
    {"level": "fair", "min_points": 70},
    {"level": "average", "min_points": 50},
    {"level": "weak", "min_points": None},
]


def test_levels_by_points_follow_the_thresholds():
    assert evaluation.level_by_points(Decimal(95), LEVELS) == "excellent"
    assert evaluation.level_by_points(Decimal(90), LEVELS) == "excellent"
    assert evaluation.level_by_points(Decimal("89.5"), LEVELS) == "fair"
    assert evaluation.level_by_points(Decimal(50), LEVELS) == "average"
    assert evaluation.level_by_points(Decimal(10), LEVELS) == "weak"


def test_cap_keeps_the_best_scores_and_moves_the_rest_down():
    # given 4 excellent and 6 good by points; "excellent ≤ 20% of those good or better"
    points = {
        f"u{i}": (Decimal(p), f"u{i}")
        for i, p in enumerate([99, 95, 92, 91, 80, 80, 75, 72, 71, 70])
    }
    caps = [{"level": "excellent", "max_share": 20, "base": "fair"}]
    result = evaluation.classify(points, levels=LEVELS, caps=caps)
    # then 20% of 10 = 2 keep excellent (the two best); the other two become good, capped
    assert [k for k, v in result.items() if v.level == "excellent"] == ["u0", "u1"]
    assert result["u2"] == evaluation.Classified("excellent", "fair", True)
    assert result["u3"].level == "fair" and result["u3"].capped
    assert not result["u4"].capped


@settings(max_examples=100, deadline=None)
@given(
    scores=st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=30),
    share=st.integers(min_value=0, max_value=100),
)
def test_capped_level_never_exceeds_its_share(scores, share):
    points = {i: (Decimal(p), f"{i:03d}") for i, p in enumerate(scores)}
    caps = [{"level": "excellent", "max_share": share, "base": ""}]
    result = evaluation.classify(points, levels=LEVELS, caps=caps)
    excellent = [k for k, v in result.items() if v.level == "excellent"]
    assert len(excellent) <= share * len(scores) // 100
    # and nobody is moved up, nobody ends more than one level down
    order = [lv["level"] for lv in LEVELS]
    for value in result.values():
        drop = order.index(value.level) - order.index(value.by_points)
        assert drop in (0, 1)
        assert value.capped is (drop == 1)


def test_live_progress_shows_the_figures_behind_each_rule(s):
    # given a programme with two rules and two evidence criteria, and a commune's data
    admin = f.ministry_admin()
    program = f.program(admin)
    f.crimes_data(s.commune, crimes_now=8, crimes_before=10, serious=1)
    enrollment = services.enrollment_create(
        actor=s.commune_officer, program=program, unit=s.commune, period_code="2025"
    )
    # when the commune looks at its progress before submitting
    progress = evaluation.progress(enrollment)
    by_code = {r.criterion.code: r for r in progress.results}
    # then the serious-crime rule fails and shows the number; the crime rule passes (8 ≤ 9.5)
    assert by_code["1"].status == evaluation.NOT_MET
    assert by_code["1"].figures[0].current == 1.0
    assert by_code["2"].status == evaluation.MET
    assert (by_code["2"].figures[0].current, by_code["2"].figures[0].previous) == (8.0, 10.0)
    # and evidence criteria are pending with what is missing said plainly
    assert by_code["3"].status == evaluation.PENDING
    assert "minh chứng" in by_code["3"].missing[0]
    assert (progress.met_count, progress.total) == (1, 4)
    assert not progress.condition_met


def test_missing_data_is_insufficient_not_failed(s):
    admin = f.ministry_admin()
    program = f.program(admin)
    put(f.metric("crimes"), s.commune, "2025M03", 3)
    enrollment = services.enrollment_create(
        actor=s.commune_officer, program=program, unit=s.commune, period_code="2025"
    )
    by_code = {r.criterion.code: r for r in evaluation.progress(enrollment).results}
    assert by_code["1"].status == evaluation.INSUFFICIENT
    assert "Thiếu số liệu" in by_code["1"].missing[0]
    assert by_code["2"].status == evaluation.INSUFFICIENT
    assert "kỳ trước" in by_code["2"].missing[0]


def test_village_values_roll_up_into_the_commune(s):
    # given a metric captured by villages and communes, with values on both levels
    incidents = f.metric("t_incidents", capture_kinds=["commune", "village"])
    put(incidents, s.village, "2025M05", 4)
    put(incidents, s.commune, "2025M05", 1)
    # when the figures of two communes are fetched for 2025
    figs = figures.fetch(
        units=[s.commune, s.sibling_commune],
        period=parse_period("2025"),
        metric_codes=["t_incidents"],
    )
    # then the commune sees its villages' values; a commune without data has none (absent)
    assert figs[s.commune.pk].current["t_incidents"] == 5.0
    assert "t_incidents" not in figs[s.sibling_commune.pk].current


class _StubTargets:
    """A target source answering fixed values (the targets app registers the real one)."""

    key = "zz-test"

    def __init__(self, values):
        self.given = values
        self.asked_on = None

    def figures(self, *, user, units, period_start, period_end):
        return []

    def values(self, *, units, on):
        self.asked_on = on
        return {u.pk: self.given[u.pk] for u in units if u.pk in self.given}


def test_rules_read_the_units_target_through_t():
    # Given two communes that built 9 and 3 schemes, with targets 6 and 6 from a source
    from binhyen.indicators.target_sources import target_sources
    from binhyen.orgunits.tests.factories import CommuneFactory
    from binhyen.programs.models import Criterion, CriterionKind

    first, second, third = CommuneFactory(), CommuneFactory(), CommuneFactory()
    schemes = f.metric("schemes_new")
    put(schemes, first, "2025M03", 9)
    put(schemes, second, "2025M03", 3)
    put(schemes, third, "2025M03", 3)
    stub = _StubTargets({first.pk: {"schemes_new": 6.0}, second.pk: {"schemes_new": 6.0}})
    target_sources.register(stub)
    try:
        criterion = Criterion(
            pk=1, kind=CriterionKind.RULE, expression="m.schemes_new >= t.schemes_new"
        )
        # When the rule is evaluated for the year
        _compiled, figs, outcomes = evaluation.evaluate_set(
            criteria=[criterion], units=[first, second, third], period=parse_period("2025")
        )
    finally:
        target_sources.unregister(stub.key)
    # Then the first meets its target, the second does not, the third has no target
    assert stub.asked_on == parse_period("2025").end
    assert figs[first.pk].targets == {"schemes_new": 6.0}
    assert outcomes[first.pk][1].status == "met"
    assert outcomes[second.pk][1].status == "not_met"
    assert outcomes[third.pk][1].status == "insufficient"
    assert outcomes[third.pk][1].missing == ["t.schemes_new"]


def test_figures_from_the_yearly_cells_equal_the_values_and_decide_the_same(s):
    # Given a summed metric, an averaged one and one broken down by options, with values in
    # two years on a commune and its village, and a second commune without any
    from django.test import override_settings

    from binhyen.indicators import engine, rollups
    from binhyen.indicators.models import Disaggregation, DisaggregationOption
    from binhyen.programs.models import Criterion, CriterionKind

    kinds = Disaggregation.objects.create(code="t_kinds", name="Loại")
    for code in ("a", "b"):
        DisaggregationOption.objects.create(disaggregation=kinds, code=code, name=code)
    total = f.metric("t_total")
    mean = f.metric("t_mean", aggregation="average")
    split = f.metric("t_split", disaggregation=kinds)
    for period, value in (("2024M03", 2), ("2025M04", 5)):
        put(total, s.commune, period, value)
        put(total, s.village, period, value + 1)
        put(mean, s.commune, period, value * 10)
        put(mean, s.village, period, value * 20)
        put(split, s.commune, period, value, option="a")
        put(split, s.village, period, 1, option="b")
    rollups.rebuild()
    units = [s.commune, s.sibling_commune]
    codes = ["t_total", "t_mean", "t_split"]
    criteria = [
        Criterion(pk=1, kind=CriterionKind.RULE, expression="m.t_total > prev.t_total"),
        Criterion(pk=2, kind=CriterionKind.RULE, expression="m.t_mean >= 100.0"),
        Criterion(pk=3, kind=CriterionKind.RULE, expression="m.t_split == prev.t_split + 3.0"),
    ]
    compiled = evaluation.compile_criteria(criteria)
    # When the figures are fetched from the cells and from the values
    assert engine.yearly_columns(
        metrics=figures.metrics_for(codes),
        units=units,
        years=[parse_period("2025"), parse_period("2024")],
    )
    cells = figures.fetch(units=units, period=parse_period("2025"), metric_codes=codes)
    with override_settings(INDICATORS_ROLLUPS=False):
        values = figures.fetch(units=units, period=parse_period("2025"), metric_codes=codes)
    # Then every unit has the same figures, a unit without data has none, and the rules
    # decide the same from both
    assert dict(cells[s.commune.pk].current) == {"t_total": 11.0, "t_mean": 75.0, "t_split": 6.0}
    assert dict(cells[s.commune.pk].previous) == {"t_total": 5.0, "t_mean": 30.0, "t_split": 3.0}
    for unit in units:
        assert cells[unit.pk].current == pytest.approx(values[unit.pk].current)
        assert cells[unit.pk].previous == pytest.approx(values[unit.pk].previous)
    assert cells[s.sibling_commune.pk].current == {}
    by_cells = evaluation.evaluate_units(compiled, cells)
    by_values = evaluation.evaluate_units(compiled, dict(values.items()))
    assert {u: {c: o.status for c, o in r.items()} for u, r in by_cells.items()} == {
        u: {c: o.status for c, o in r.items()} for u, r in by_values.items()
    }
    assert [by_cells[s.commune.pk][c].status for c in (1, 2, 3)] == ["met", "not_met", "met"]


def test_lean_progress_has_the_same_statuses_points_and_condition(world):
    # Given a decided file (frozen outcomes, verified) and one still in self-assessment
    files = [world["done"], world["pending"]]
    # When their progress is computed in full and lean (as the overview does)
    full = evaluation.progress_many(files)
    lean = evaluation.progress_many(files, lean=True)
    # Then every criterion has the same status, points and evidence count, and so does the
    # condition; only the figure rows are left out
    for e in files:
        assert [
            (r.criterion.pk, r.status, r.points, r.evidence_count) for r in lean[e.pk].results
        ] == [(r.criterion.pk, r.status, r.points, r.evidence_count) for r in full[e.pk].results]
        assert (lean[e.pk].met_count, lean[e.pk].points_total) == (
            full[e.pk].met_count,
            full[e.pk].points_total,
        )
        assert all(not r.figures for r in lean[e.pk].results)
    assert any(r.figures for e in files for r in full[e.pk].results)
    assert any(r.evidence_count for r in full[world["done"].pk].results)
