"""Columnar evaluation: the same outcomes as the cel library, unit by unit, rule by rule."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from binhyen.programs import columnar, rules
from binhyen.programs.figures import UnitFigures

CODES = ("a", "b", "c")


def by_cel(rule: rules.CompiledRule, fig: UnitFigures) -> rules.Outcome:
    ctx = rules.context(fig.current, fig.previous, fig.facts, fig.targets)
    return rules.evaluate(rule, ctx, fig.current, fig.previous, fig.facts, fig.targets)


def columnar_outcomes(
    source: str, figs: list[UnitFigures], undecided: list[int] | None = None
) -> list[rules.Outcome]:
    rule = rules.compile_rule(source)
    columns = columnar.Columns(figs)

    def fallback(i: int) -> rules.Outcome:
        if undecided is not None:
            undecided.append(i)
        return by_cel(rule, figs[i])

    return columnar.outcomes(rule, columnar.plan(source), columns, fallback)


def as_tuple(outcome: rules.Outcome) -> tuple[str, list[str], str]:
    return (outcome.status, outcome.missing, outcome.message)


# --- generated rules and data -----------------------------------------------------------------

DOUBLES = st.sampled_from(
    [0.0, -0.0, 1.0, -1.0, 2.5, -3.25, 1e308, 1e-300, 0.1, 100.0, float("inf")]
)
LITERALS = st.one_of(
    st.sampled_from(["0.0", "1.0", "-1.0", "2.5", "0.95", "1e3", ".5", "1e308", "100.0"]),
    st.sampled_from(["0", "1", "2", "-3", "7", "9223372036854775807", "9007199254740993"]),
    st.sampled_from(["true", "false", "'commune'", '"ward"', "''"]),
)
FIELDS = st.one_of(
    st.sampled_from([f"{v}.{c}" for v in ("m", "prev", "t") for c in CODES]),
    st.sampled_from(["unit.population", "unit.kind", "unit.households", 'm["a"]', "m['b']"]),
)
HAS = st.sampled_from([f"has({v}.{c})" for v in ("m", "prev", "t") for c in CODES])
BINARY = ["+", "-", "*", "/", "%", "<", "<=", ">", ">=", "==", "!=", "&&", "||"]


def _wrap(text: str, parens: bool) -> str:
    return f"({text})" if parens else text


@st.composite
def _unary(draw: Any, inner: st.SearchStrategy[str]) -> str:
    op = draw(st.sampled_from(["!", "-"]))
    return f"{op}({draw(inner)})"


@st.composite
def _binary(draw: Any, inner: st.SearchStrategy[str]) -> str:
    left, right = draw(inner), draw(inner)
    op = draw(st.sampled_from(BINARY))
    # Parentheses only sometimes: the parser's precedence is exercised too.
    return f"{_wrap(left, draw(st.booleans()))} {op} {_wrap(right, draw(st.booleans()))}"


@st.composite
def _ternary(draw: Any, inner: st.SearchStrategy[str]) -> str:
    cond, then, other = draw(inner), draw(inner), draw(inner)
    return f"(({cond}) ? ({then}) : ({other}))"


EXPRESSIONS = st.recursive(
    st.one_of(LITERALS, FIELDS, HAS),
    lambda inner: st.one_of(_unary(inner), _binary(inner), _binary(inner), _ternary(inner)),
    max_leaves=8,
)


# Well-typed rules (the usual case): doubles compared into booleans.
NUMBERS = st.recursive(
    st.one_of(
        st.sampled_from([f"{v}.{c}" for v in ("m", "prev", "t") for c in CODES]),
        st.sampled_from(["unit.population", "0.0", "1.0", "0.95", "-2.5", "1e308", "50.0"]),
    ),
    lambda inner: st.one_of(
        st.builds(lambda a: f"-{a}" if a[0] != "-" else f"-({a})", inner),
        st.builds(lambda a, op, b: f"({a} {op} {b})", inner, st.sampled_from("+-*/"), inner),
        st.builds(lambda a, op, b: f"{a} {op} {b}", inner, st.sampled_from("+-*/"), inner),
    ),
    max_leaves=4,
)
COMPARISONS = st.builds(
    lambda a, op, b: f"{a} {op} {b}",
    NUMBERS,
    st.sampled_from(["<", "<=", ">", ">=", "==", "!="]),
    st.one_of(NUMBERS, st.sampled_from(["0", "5", "-1"])),
)
BOOLEANS = st.recursive(
    st.one_of(COMPARISONS, HAS, st.sampled_from(["true", "false", "unit.kind == 'commune'"])),
    lambda inner: st.one_of(
        st.builds(lambda a: f"!({a})", inner),
        st.builds(lambda a, op, b: f"{a} {op} {b}", inner, st.sampled_from(["&&", "||"]), inner),
        st.builds(
            lambda a, op, b: f"({a}) {op} ({b})", inner, st.sampled_from(["&&", "||"]), inner
        ),
        st.builds(lambda c, a, b: f"{c} ? ({a}) : ({b})", inner, inner, inner),
    ),
    max_leaves=6,
)


# Integer arithmetic: truncating division and remainder, 64-bit overflow, large ints
# against doubles (CEL converts the int to a double before comparing).
INTEGERS = st.recursive(
    st.sampled_from(
        ["0", "2", "-2", "-7", "7", "-1", "3", "9223372036854775807", "9007199254740993"]
    ),
    lambda inner: (
        st.builds(
            lambda a, op, b: f"({a} {op} {b})",
            inner,
            st.sampled_from(["+", "-", "*", "/", "%"]),
            inner,
        )
        | st.builds(lambda a: f"-{a}", inner)
    ),
    max_leaves=4,
)
INTEGER_RULES = st.builds(
    lambda a, op, b: f"{a} {op} {b}",
    INTEGERS,
    st.sampled_from(["<", "<=", ">", ">=", "==", "!="]),
    st.one_of(INTEGERS, st.sampled_from(["9007199254740992.0", "-3.5", "m.a"])),
)


@st.composite
def _values(draw: Any) -> dict[str, float]:
    return {code: draw(DOUBLES) for code in CODES if draw(st.sampled_from([True, True, False]))}


@st.composite
def _unit(draw: Any) -> UnitFigures:
    facts: dict[str, Any] = {"kind": draw(st.sampled_from(["commune", "ward"])), "code": "01"}
    facts["subkind"] = ""
    if draw(st.booleans()):
        facts["population"] = draw(DOUBLES)
    return UnitFigures(
        current=draw(_values()),
        previous=draw(_values()),
        facts=facts,
        targets=draw(_values()),
    )


def _compiles(source: str) -> bool:
    try:
        rules.compile_rule(source)
    except rules.RuleError:
        return False
    return True


@settings(
    max_examples=800,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(source=EXPRESSIONS.filter(_compiles), units=st.lists(_unit(), min_size=1, max_size=6))
def test_generated_rules_decide_exactly_as_the_cel_library(source, units):
    # Given any rule of the subset (valid CEL) and units with absent, zero, negative, huge
    # and infinite values (0/0 and inf-inf give NaN)
    # When the rule is evaluated over all units at once
    got = columnar_outcomes(source, units)
    # Then every unit's status, missing names and message are the cel library's
    rule = rules.compile_rule(source)
    assert [as_tuple(o) for o in got] == [as_tuple(by_cel(rule, u)) for u in units]


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=BOOLEANS, units=st.lists(_unit(), min_size=1, max_size=6))
def test_generated_well_typed_rules_decide_exactly_as_the_cel_library(source, units):
    # Given a well-typed rule (doubles compared, combined with && || ! ?: has) and any units
    # When the rule is evaluated over all units at once
    got = columnar_outcomes(source, units)
    # Then every unit's outcome is the cel library's
    rule = rules.compile_rule(source)
    assert [as_tuple(o) for o in got] == [as_tuple(by_cel(rule, u)) for u in units]


@settings(max_examples=500, deadline=None)
@given(source=INTEGER_RULES, units=st.lists(_unit(), min_size=1, max_size=2))
def test_generated_integer_rules_decide_exactly_as_the_cel_library(source, units):
    got = columnar_outcomes(source, units)
    rule = rules.compile_rule(source)
    assert [as_tuple(o) for o in got] == [as_tuple(by_cel(rule, u)) for u in units]


# --- examples -----------------------------------------------------------------------------------


def fig(
    m: dict[str, float] | None = None,
    prev: dict[str, float] | None = None,
    t: dict[str, float] | None = None,
    **facts: Any,
) -> UnitFigures:
    return UnitFigures(current=m or {}, previous=prev or {}, facts=facts, targets=t or {})


@pytest.mark.parametrize(
    "source",
    [
        "m.a <= prev.a * 1.05",
        "m.a >= 1.0 && m.a <= prev.a + 50.0",
        "!has(m.a) || m.a == 0.0",
        "!has(t.a) || m.a >= t.a",
        "m.b > 0.0 && m.a / m.b >= 1.0",
        "unit.kind == 'commune' ? m.a < 5 : m.a < 10.0",
        "-(m.a - prev.a) <= 2.0 * -1.0 || m['b'] != 3.0",
        "m.a <= 3.0 // a comment naming m.zzz",
    ],
)
def test_ordinary_data_is_decided_without_the_cel_library(source):
    # Given units whose values are all present and ordinary, and one without any
    units = [
        fig({"a": 1.0, "b": 2.0}, {"a": 3.0}, {"a": 1.0}, kind="commune"),
        fig({"a": 7.0, "b": 1.0}, {"a": 0.0}, {}, kind="ward"),
        fig({}, {}, {}, kind="commune"),
    ]
    undecided: list[int] = []
    # When the rule is evaluated over them
    got = columnar_outcomes(source, units, undecided)
    # Then no unit needs the cel library, and the outcomes are its outcomes
    assert undecided == []
    rule = rules.compile_rule(source)
    assert [as_tuple(o) for o in got] == [as_tuple(by_cel(rule, u)) for u in units]


@pytest.mark.parametrize(
    ("source", "values"),
    [
        ("-7 / 2 == -3 && 7 / -2 == -3 && -7 % 2 == -1 && 7 % -2 == 1", {}),
        ("9007199254740993 > 9007199254740992.0", {}),
        ("9007199254740993 == 9007199254740992.0", {}),
        ("9007199254740992.0 < 9007199254740993", {}),
        ("(-9223372036854775807 - 1) / -1 < 0", {}),
        ("9223372036854775807 + 1 > 0", {}),
        ("1 / 0 > 0", {}),
        ("1 % 0 > 0", {}),
        ("m.a % 2.0 == 1.0", {"a": 3.0}),
        ("'a' + 'b' == 'ab' && 'é' > 'z' && true > false", {}),
        ("1 == true || m.a == 'x' || m.a == true", {"a": 1.0}),
        ("m.a == 1", {"a": 1.0}),
        ("1.0 || m.zz > 0.0", {}),
        ("m.zz > 0.0 || 1.0", {}),
        ("m.zz > 0.0 ? 1.0 : 2.0", {}),
        ("true ? 1.0 : 2.0", {}),
        ("m.a / m.a != m.a / m.a", {"a": 0.0}),
        ("m.a - m.a > -1.0", {"a": float("inf")}),
        ("m.a * 0.0 == 0.0", {"a": float("inf")}),
        ("1e308 * 10.0 > 1e308 && -1.0 / 0.0 < 0.0 && 1.0 / -0.0 < 0.0", {}),
        ("m.a > 0.0 && m.zz > 0.0 || m.a / m.b > 1.0", {"a": 0.0, "b": 0.0}),
        ("!(m.zz > 0.0)", {}),
        ("-m.zz < 0.0", {}),
        ("has(m.zz) ? m.zz > 0.0 : m.a > 0.0", {"a": 1.0}),
    ],
)
def test_edge_cases_decide_as_the_cel_library(source, values):
    units = [fig(values, kind="commune")]
    rule = rules.compile_rule(source)
    assert [as_tuple(o) for o in columnar_outcomes(source, units)] == [
        as_tuple(by_cel(rule, u)) for u in units
    ]


def test_absent_values_are_insufficient_naming_every_missing_value():
    units = [fig({"a": 1.0}), fig({}, {"a": 2.0})]
    got = columnar_outcomes("m.a <= prev.a * 1.05 && m.b >= 0.0", units)
    assert [o.status for o in got] == [rules.INSUFFICIENT, rules.INSUFFICIENT]
    assert got[0].missing == ["m.b", "prev.a"]
    assert got[1].missing == ["m.a", "m.b"]


def test_an_absorbing_or_is_met_and_still_names_the_absent_value():
    # Given "a is zero or b is zero" with a = 0 and b absent
    got = columnar_outcomes("m.a == 0.0 || m.b == 0.0", [fig({"a": 0.0})])
    # Then it is met (CEL's || absorbs the error) and names what was absent
    assert (got[0].status, got[0].missing) == (rules.MET, ["m.b"])


def test_zero_over_zero_falls_back_and_reports_the_zero():
    undecided: list[int] = []
    got = columnar_outcomes(
        "m.a / m.b >= 1.0", [fig({"a": 0.0, "b": 0.0}), fig({"a": 1.0, "b": 0.0})], undecided
    )
    # Then 0/0 is the cel library's error naming the zeros; 1/0 is infinite and met
    assert undecided == [0]
    assert got[0].status == rules.ERROR and "a, b" in got[0].message
    assert got[1].status == rules.MET


@pytest.mark.parametrize(
    "source",
    [
        "size([1.0]) > 0 && m.a > 0.0",
        "[1.0, 2.0].all(x, x > 0.0)",
        "m.a in [1.0]",
        "double(1) < m.a",
        "m.a > 1u",
        "0x10 > 1",
        "r'a' == 'a'",
        "'a\\'' == 'a'",
        "null == null",
    ],
)
def test_rules_outside_the_subset_have_no_plan_and_use_the_cel_library(source):
    assert columnar.plan(source) is None
    units = [fig({"a": 2.0})]
    rule = rules.compile_rule(source)
    assert [as_tuple(o) for o in columnar_outcomes(source, units)] == [
        as_tuple(by_cel(rule, u)) for u in units
    ]


def test_python_is_never_evaluated():
    # Text that would be code in Python is not in the subset
    assert columnar.plan("__import__('os').system('true')") is None
    assert columnar.plan("m.a.__class__ == 1") is None
