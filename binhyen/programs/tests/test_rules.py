"""CEL rules: checking with positions, evaluation, missing data, never Python."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from binhyen.programs import rules

CODES = {"crimes", "serious_crimes", "villages", "villages_pledged", "schemes_active"}


def evaluate(source: str, m: dict, prev: dict | None = None, unit: dict | None = None):
    rule = rules.check(source, metric_codes=CODES)
    prev = prev or {}
    unit = unit or {}
    return rules.evaluate(rule, rules.context(m, prev, unit), m, prev, unit)


@pytest.mark.parametrize(
    "source",
    [
        "m.serious_crimes == 0.0",
        "m.crimes <= prev.crimes * 0.95",
        "m.villages_pledged / m.villages >= 1.0",
        "m.schemes_active >= 1.0",
        "has(m.crimes) ? m.crimes < 5.0 : true",
        'm["crimes"] <= 3.0 // comment naming m.unknown_metric',
        "unit.kind == 'commune' && unit.population > 1000.0",
        "[1.0, 2.0].all(x, x > 0.0) && m.crimes >= 0.0",
    ],
)
def test_valid_rules_compile_and_name_their_metrics(source):
    # given a well-formed rule over known metrics, when it is checked, then it compiles
    rule = rules.check(source, metric_codes=CODES)
    assert set(rule.metric_codes) <= CODES


@pytest.mark.parametrize(
    ("source", "code", "line", "column", "text"),
    [
        ("m.crimez > 1.0", "unknown_metric", 1, 3, "crimez"),
        ("m.crimes > 1.0 &&\n  prev.villagez > 2.0", "unknown_metric", 2, 8, "villagez"),
        ("m.crimes <= ", "syntax", 1, 13, "dòng 1, cột 13"),
        ("m.crimes &&& 1.0", "syntax", 1, 12, "ký tự không hợp lệ"),
        ("m.a == 1.0 &&\n  (m.crimes >", "syntax", 2, 14, "dòng 2"),
        ("foo > 1.0", "unknown_variable", 1, 1, "foo"),
        ("unit.pop > 1.0", "unknown_fact", 1, 6, "unit.pop"),
        ("m.crimes", "type", 1, 1, "đúng/sai"),
        ("m.crimes + 1 > 2.0", "type", 1, 1, "float + int"),
        ("", "empty", None, None, "trống"),
        ("9223372036854775807 + 1 > 0", "eval", 1, 1, "tràn số"),
        ("[1.0, 2.0][5] > 0.0", "eval", 1, 1, "danh sách"),
    ],
)
def test_invalid_rules_are_refused_with_their_position(source, code, line, column, text):
    # given a rule with one mistake, when it is checked
    with pytest.raises(rules.RuleError) as caught:
        rules.check(source, metric_codes=CODES | {"a"})
    # then the error names the mistake and where it is (1-based line and column)
    error = caught.value
    assert (error.code, error.line, error.column) == (code, line, column)
    assert text in error.message


def test_python_is_never_evaluated():
    # given text that would be code in Python, when checked as a rule, then it is refused
    with pytest.raises(rules.RuleError):
        rules.check("__import__('os').system('true')", metric_codes=CODES)


def test_rule_outcomes_distinguish_not_met_from_missing_data():
    # given a rule comparing this year's crimes with last year's
    source = "m.crimes <= prev.crimes * 0.95"
    # then a 10% fall is met, a rise is not met, and a missing year is insufficient data
    assert evaluate(source, {"crimes": 9.0}, {"crimes": 10.0}).status == rules.MET
    assert evaluate(source, {"crimes": 11.0}, {"crimes": 10.0}).status == rules.NOT_MET
    outcome = evaluate(source, {"crimes": 9.0}, {})
    assert outcome.status == rules.INSUFFICIENT
    assert outcome.missing == ["prev.crimes"]


def test_a_rule_may_handle_absent_data_itself():
    outcome = evaluate("!has(m.serious_crimes) || m.serious_crimes == 0.0", {})
    assert outcome.status == rules.MET


def test_zero_over_zero_is_reported_as_an_error_naming_the_zero():
    outcome = evaluate(
        "m.villages_pledged / m.villages >= 1.0", {"villages": 0.0, "villages_pledged": 0.0}
    )
    assert outcome.status == rules.ERROR
    assert "villages" in outcome.message


def test_integer_literals_compare_with_doubles():
    assert evaluate("m.crimes <= 5", {"crimes": 5.0}).status == rules.MET


@settings(max_examples=60, deadline=None)
@given(
    now=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    before=st.floats(min_value=0, max_value=1e6, allow_nan=False),
)
def test_rule_result_matches_python_arithmetic(now, before):
    # given any pair of counts, the rule decides exactly as the same comparison in Python
    outcome = evaluate("m.crimes <= prev.crimes * 0.95", {"crimes": now}, {"crimes": before})
    assert outcome.status == (rules.MET if now <= before * 0.95 else rules.NOT_MET)


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_either_a_rule_or_a_rule_error(text):
    # whatever is typed into the editor, checking never raises anything but RuleError
    try:
        rules.check(text, metric_codes=CODES)
    except rules.RuleError as error:
        assert error.message


def test_t_names_the_units_target_and_is_checked_like_m():
    # Given a rule comparing the value with the unit's target
    rule = rules.check("m.schemes_new >= t.schemes_new", metric_codes={"schemes_new"})
    assert rule.targets == ("schemes_new",)
    # Then t.x must name a metric of the catalogue
    with pytest.raises(rules.RuleError) as err:
        rules.check("m.schemes_new >= t.nope", metric_codes={"schemes_new"})
    assert err.value.code == "unknown_metric"


def test_a_missing_target_reads_as_insufficient_data():
    rule = rules.check("m.schemes_new >= t.schemes_new", metric_codes={"schemes_new"})
    current, targets = {"schemes_new": 9.0}, {"schemes_new": 6.0}
    ctx = rules.context(current, {}, {}, targets)
    assert rules.evaluate(rule, ctx, current, {}, {}, targets).status == rules.MET
    ctx = rules.context(current, {}, {}, {})
    outcome = rules.evaluate(rule, ctx, current, {}, {}, {})
    assert outcome.status == rules.INSUFFICIENT and outcome.missing == ["t.schemes_new"]
    # A rule may handle the absence itself
    lenient = rules.check(
        "!has(t.schemes_new) || m.schemes_new >= t.schemes_new", metric_codes={"schemes_new"}
    )
    assert rules.evaluate(lenient, ctx, current, {}, {}, {}).status == rules.MET
