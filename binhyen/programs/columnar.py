"""Columnar evaluation of criteria rules: each rule once over every unit's values at a time.

Evaluating a rule unit by unit through the ``cel`` library costs a CEL context per unit and a
call per rule; for the national set (34 criteria, 3,321 communes) that is most of the time.
Here a rule written in a small subset of CEL is parsed once into a tree and evaluated over
columns (one value per unit) with plain Python operations.

Invariants:
- Never Python source: the subset is parsed here (a tokenizer and a recursive-descent
  parser); nothing is handed to ``eval``/``exec``. Every rule was compiled by the ``cel``
  library first (``rules.compile_rule``), so only valid CEL reaches the parser.
- The subset: double, int, bool and string literals (no escapes, no prefixes); ``m.x``,
  ``prev.x``, ``t.x``, ``unit.x`` and ``m["x"]``; ``has(m.x)``; ``+ - * / %``, unary
  ``-`` and ``!``; ``< <= > >= == !=``; ``&&``, ``||``; ``?:``; parentheses. A rule using
  anything else (functions, lists, maps, ``in``, macros, uint, hex, null…) gets no plan and
  is evaluated by the ``cel`` library for every unit.
- The outcome of every unit is the one ``rules.evaluate`` gives (status, missing names,
  message). Each value is a number, a bool, a string, ``ABSENT`` (the rule read a value the
  unit does not have: CEL's "no such key") or ``UNDECIDED`` (anything else this module does
  not decide exactly: a type mismatch, 0/0 compared, integer overflow or division by zero,
  a non-boolean result, an int beyond 2**53 compared with a double, two different errors
  meeting in an operator whose winner CEL's implementation picks). A unit whose result is
  ``UNDECIDED`` for a rule is evaluated for that rule by the ``cel`` library.
- CEL semantics kept: operands are evaluated left to right and the first error wins in
  arithmetic and comparisons; ``&&``/``||`` absorb errors when the other side decides
  (``false && error`` is false, ``true || error`` is true); ``?:`` reads only the branch
  chosen; doubles follow IEEE 754 (``x / 0.0`` is infinite, ``0.0 / 0.0`` is NaN, ordering
  NaN is an error, ``NaN == x`` is false); ints are 64-bit, ``/`` and ``%`` truncate toward
  zero; numbers of both kinds compare with each other, other kinds never equal each other.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import repeat
from operator import methodcaller
from typing import Any

from binhyen.programs import rules


class _Sentinel:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


ABSENT: Any = _Sentinel("ABSENT")
UNDECIDED: Any = _Sentinel("UNDECIDED")

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
EXACT = 2**53  # ints up to this size convert to a double exactly
NAN = math.nan
INF = math.inf

VARIABLES = ("m", "prev", "unit", "t")


class Unsupported(Exception):
    """The rule uses something outside the subset: it is evaluated by the ``cel`` library."""


# --- tokens and parsing ----------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|//[^\n]*)
    |(?P<double>\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\.\d+(?:[eE][+-]?\d+)?)
    |(?P<int>\d+)
    |(?P<ident>[_A-Za-z][_A-Za-z0-9]*)
    |(?P<string>"[^"\\\n]*"|'[^'\\\n]*')
    |(?P<op>\|\||&&|<=|>=|==|!=|[-+*/%<>!?:().\[\]])
    """,
    re.VERBOSE,
)

Node = tuple[Any, ...]


def _tokens(source: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            raise Unsupported(source[pos : pos + 10])
        pos = match.end()
        kind = match.lastgroup or ""
        if kind != "space":
            out.append((kind, match.group(0)))
    out.append(("end", ""))
    return out


class _Parser:
    """Recursive descent over CEL's grammar, restricted to the subset."""

    RELATIONS = ("<", "<=", ">", ">=", "==", "!=")

    def __init__(self, source: str) -> None:
        self.tokens = _tokens(source)
        self.pos = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos]

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect(self, text: str) -> None:
        kind, value = self.take()
        if kind != "op" or value != text:
            raise Unsupported(value)

    def at(self, *texts: str) -> bool:
        kind, value = self.peek()
        return kind == "op" and value in texts

    def parse(self) -> Node:
        node = self.expr()
        if self.peek()[0] != "end":
            raise Unsupported(self.peek()[1])
        return node

    def expr(self) -> Node:
        cond = self.disjunction()
        if not self.at("?"):
            return cond
        self.take()
        then = self.disjunction()
        self.expect(":")
        return ("?:", cond, then, self.expr())

    def disjunction(self) -> Node:
        node = self.conjunction()
        while self.at("||"):
            self.take()
            node = ("||", node, self.conjunction())
        return node

    def conjunction(self) -> Node:
        node = self.relation()
        while self.at("&&"):
            self.take()
            node = ("&&", node, self.relation())
        return node

    def relation(self) -> Node:
        node = self.addition()
        while self.at(*self.RELATIONS):
            op = self.take()[1]
            node = (op, node, self.addition())
        return node

    def addition(self) -> Node:
        node = self.multiplication()
        while self.at("+", "-"):
            op = self.take()[1]
            node = (op, node, self.multiplication())
        return node

    def multiplication(self) -> Node:
        node = self.unary()
        while self.at("*", "/", "%"):
            op = self.take()[1]
            node = (op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.at("!"):
            self.take()
            return ("!", self.unary())
        if self.at("-"):
            self.take()
            return ("neg", self.unary())
        return self.primary()

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "double":
            return ("const", float(text))
        if kind == "int":
            value = int(text)
            if value > INT_MAX:
                raise Unsupported(text)
            return ("const", value)
        if kind == "string":
            return ("const", text[1:-1])
        if kind == "op" and text == "(":
            node = self.expr()
            self.expect(")")
            return node
        if kind == "ident":
            if text == "true":
                return ("const", True)
            if text == "false":
                return ("const", False)
            if text == "has" and self.at("("):
                self.take()
                variable, name = self.field(dotted_only=True)
                self.expect(")")
                return ("has", variable, name)
            if text in VARIABLES:
                self.pos -= 1
                variable, name = self.field(dotted_only=False)
                if self.at(".", "["):
                    raise Unsupported(text)  # a field of a value: not in the subset
                return ("get", variable, name)
        raise Unsupported(text)

    def field(self, *, dotted_only: bool) -> tuple[str, str]:
        kind, variable = self.take()
        if kind != "ident" or variable not in VARIABLES:
            raise Unsupported(variable)
        if self.at("."):
            self.take()
            kind, name = self.take()
            if kind != "ident":
                raise Unsupported(name)
            return variable, name
        if not dotted_only and self.at("["):
            self.take()
            kind, name = self.take()
            if kind != "string":
                raise Unsupported(name)
            self.expect("]")
            return variable, name[1:-1]
        raise Unsupported(variable)


class Plan:
    """A rule parsed into the subset, evaluated over columns by ``run``."""

    def __init__(self, tree: Node) -> None:
        self.tree = tree

    def run(self, columns: Columns) -> Any:
        """Return the rule's value per unit (a list), or one value for a constant rule."""
        return _evaluate(self.tree, columns)


def plan(source: str) -> Plan | None:
    """Return the columnar plan of a CEL rule, or None when it is outside the subset."""
    try:
        return Plan(_Parser(source).parse())
    except (Unsupported, RecursionError):
        return None


# --- columns ---------------------------------------------------------------------------------


class Columns:
    """The units' values, one list per ``variable.name`` read (built once, shared by rules)."""

    FIELDS = {"m": "current", "prev": "previous", "unit": "facts", "t": "targets"}

    def __init__(self, figures: Sequence[Any]) -> None:
        self.maps: dict[str, list[Mapping[str, Any]]] = {
            variable: [getattr(fig, attribute) for fig in figures]
            for variable, attribute in self.FIELDS.items()
        }
        self.size = len(figures)
        # Variables held by name already: name → {unit key: value}, read for ``keys``.
        self.named: dict[str, Mapping[str, Mapping[Any, Any]]] = {}
        self.keys: list[Any] = []
        self.cache: dict[tuple[str, str], list[Any]] = {}
        self.absent_cache: dict[tuple[str, str], list[int]] = {}

    @classmethod
    def of_table(cls, table: Any) -> Columns:
        """Return the columns of a table held by metric already (``figures.FigureTable``:
        ``unit_ids``, ``current`` and ``previous`` as code → {unit id: value}, ``facts`` and
        ``targets`` per unit): a metric's column is its values looked up in unit order."""
        keys = list(table.unit_ids)
        columns = cls([])
        columns.size = len(keys)
        columns.keys = keys
        columns.named = {"m": table.current, "prev": table.previous}
        columns.maps = {
            "unit": [table.facts[k] for k in keys],
            "t": [table.targets.get(k, {}) for k in keys],
        }
        return columns

    def column(self, variable: str, name: str) -> list[Any]:
        key = (variable, name)
        found = self.cache.get(key)
        if found is None:
            named = self.named.get(variable)
            if named is not None:
                found = list(map((named.get(name) or {}).get, self.keys, repeat(ABSENT)))
            else:
                found = list(map(methodcaller("get", name, ABSENT), self.maps[variable]))
            found = [v if type(v) is float else _leaf(v) for v in found]
            self.cache[key] = found
        return found

    def absent(self, variable: str, name: str) -> list[int]:
        """Return the positions of the units without a value of ``variable.name``."""
        key = (variable, name)
        found = self.absent_cache.get(key)
        if found is None:
            column = self.column(variable, name)
            found = [i for i, v in enumerate(column) if v is ABSENT] if ABSENT in column else []
            self.absent_cache[key] = found
        return found


def _leaf(value: Any) -> Any:
    kind = type(value)
    if kind is float or kind is str or kind is bool or value is ABSENT:
        return value
    if kind is int and INT_MIN <= value <= INT_MAX:
        return value
    return UNDECIDED  # present (``has`` is true), but of a type this module does not model


# --- scalar semantics ------------------------------------------------------------------------


def _error(a: Any, b: Any) -> Any:
    """The error of strict ``a op b`` (left first), or None when both are values."""
    if a is ABSENT or a is UNDECIDED:
        return a
    if b is ABSENT or b is UNDECIDED:
        return b
    return None


def _int(value: int) -> Any:
    return value if INT_MIN <= value <= INT_MAX else UNDECIDED


def _add(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is float and tb is float:
        return a + b
    err = _error(a, b)
    if err is not None:
        return err
    if ta is int and tb is int:
        return _int(a + b)
    if ta is str and tb is str:
        return a + b
    return UNDECIDED


def _sub(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is float and tb is float:
        return a - b
    err = _error(a, b)
    if err is not None:
        return err
    if ta is int and tb is int:
        return _int(a - b)
    return UNDECIDED


def _mul(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is float and tb is float:
        return a * b
    err = _error(a, b)
    if err is not None:
        return err
    if ta is int and tb is int:
        return _int(a * b)
    return UNDECIDED


def _div(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is float and tb is float:
        if b == 0.0:
            if a != a or a == 0.0:
                return NAN
            return math.copysign(INF, a) * math.copysign(1.0, b)
        return a / b
    err = _error(a, b)
    if err is not None:
        return err
    if ta is int and tb is int and b != 0:
        quotient = abs(a) // abs(b)
        return _int(quotient if (a < 0) == (b < 0) else -quotient)
    return UNDECIDED


def _mod(a: Any, b: Any) -> Any:
    err = _error(a, b)
    if err is not None:
        return err
    if type(a) is int and type(b) is int and b != 0 and not (a == INT_MIN and b == -1):
        remainder = abs(a) % abs(b)
        return remainder if a >= 0 else -remainder
    return UNDECIDED


def _numbers(a: Any, b: Any) -> bool | None:
    """True when both are numbers comparable exactly, False when not both numbers, None
    when CEL's int→double conversion could round (an int beyond 2**53 against a double)."""
    ta, tb = type(a), type(b)
    if ta is float:
        if tb is float:
            return True
        if tb is int:
            return None if abs(b) > EXACT else True
        return False
    if ta is int:
        if tb is int:
            return True
        if tb is float:
            return None if abs(a) > EXACT else True
    return False


def _order(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Any]:
    def compare(a: Any, b: Any) -> Any:
        if type(a) is float and type(b) is float and a == a and b == b:
            return op(a, b)
        err = _error(a, b)
        if err is not None:
            return err
        numbers = _numbers(a, b)
        if numbers:
            if a != a or b != b:
                return UNDECIDED  # NaN (0/0) cannot be ordered: an error in CEL
            return op(a, b)
        if numbers is None:
            return UNDECIDED
        ta = type(a)
        if ta is type(b) and (ta is str or ta is bool):
            return op(a, b)
        return UNDECIDED

    return compare


def _eq(a: Any, b: Any) -> Any:
    if type(a) is float and type(b) is float:
        return a == b
    err = _error(a, b)
    if err is not None:
        return err
    numbers = _numbers(a, b)
    if numbers:
        return a == b
    if numbers is None:
        return UNDECIDED
    ta, tb = type(a), type(b)
    if ta is tb:
        return a == b  # both bools or both strings
    return False  # different kinds never equal


def _ne(a: Any, b: Any) -> Any:
    result = _eq(a, b)
    if result is True:
        return False
    if result is False:
        return True
    return result


def _or(a: Any, b: Any) -> Any:
    if a is True or b is True:
        return True
    if a is False and b is False:
        return False
    if (a is ABSENT or a is False) and (b is ABSENT or b is False):
        return ABSENT
    return UNDECIDED


def _and(a: Any, b: Any) -> Any:
    if a is False or b is False:
        return False
    if a is True and b is True:
        return True
    if (a is ABSENT or a is True) and (b is ABSENT or b is True):
        return ABSENT
    return UNDECIDED


def _not(a: Any) -> Any:
    if a is True:
        return False
    if a is False:
        return True
    if a is ABSENT:
        return ABSENT
    return UNDECIDED


def _neg(a: Any) -> Any:
    kind = type(a)
    if kind is float:
        return -a
    if kind is int:
        return _int(-a)
    if a is ABSENT:
        return ABSENT
    return UNDECIDED


def _choose(cond: Any, then: Any, other: Any) -> Any:
    if cond is True:
        return then
    if cond is False:
        return other
    if cond is ABSENT:
        return ABSENT
    return UNDECIDED


_lt = _order(lambda a, b: a < b)
_le = _order(lambda a, b: a <= b)
_gt = _order(lambda a, b: a > b)
_ge = _order(lambda a, b: a >= b)

BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": _add,
    "-": _sub,
    "*": _mul,
    "/": _div,
    "%": _mod,
    "<": _lt,
    "<=": _le,
    ">": _gt,
    ">=": _ge,
    "==": _eq,
    "!=": _ne,
    "||": _or,
    "&&": _and,
}

# The same operators over columns, with the common case (two doubles, two booleans) written
# inline; anything else goes through the scalar function above.
Column = Callable[[Iterable[Any], Iterable[Any]], list[Any]]


def _c_add(left: Iterable[Any], right: Iterable[Any]) -> list[Any]:
    return [
        a + b if type(a) is float and type(b) is float else _add(a, b)
        for a, b in zip(left, right, strict=False)
    ]


def _c_sub(left: Iterable[Any], right: Iterable[Any]) -> list[Any]:
    return [
        a - b if type(a) is float and type(b) is float else _sub(a, b)
        for a, b in zip(left, right, strict=False)
    ]


def _c_mul(left: Iterable[Any], right: Iterable[Any]) -> list[Any]:
    return [
        a * b if type(a) is float and type(b) is float else _mul(a, b)
        for a, b in zip(left, right, strict=False)
    ]


def _c_div(left: Iterable[Any], right: Iterable[Any]) -> list[Any]:
    return [
        a / b if type(a) is float and type(b) is float and b != 0.0 else _div(a, b)
        for a, b in zip(left, right, strict=False)
    ]


def _c_lt(left: Iterable[Any], right: Iterable[Any]) -> list[Any]:
    return [
        a < b if type(a) is float and type(b) is float and a == a and b == b else _lt(a, b)
        for a, b in zip(left, right, strict=False)
    ]


def _c_le(left: Iterable[Any], right: Iterable[Any]) -> list[Any]:
    return [
        a <= b if type(a) is float and type(b) is float and a == a and b == b else _le(a, b)
        for a, b in zip(left, right, strict=False)
    ]


def _c_gt(left: Iterable[Any], right: Iterable[Any]) -> list[Any]:
    return [
        a > b if type(a) is float and type(b) is float and a == a and b == b else _gt(a, b)
        for a, b in zip(left, right, strict=False)
    ]


def _c_ge(left: Iterable[Any], right: Iterable[Any]) -> list[Any]:
    return [
        a >= b if type(a) is float and type(b) is float and a == a and b == b else _ge(a, b)
        for a, b in zip(left, right, strict=False)
    ]


def _c_eq(left: Iterable[Any], right: Iterable[Any]) -> list[Any]:
    return [
        a == b if type(a) is float and type(b) is float else _eq(a, b)
        for a, b in zip(left, right, strict=False)
    ]


def _c_ne(left: Iterable[Any], right: Iterable[Any]) -> list[Any]:
    return [
        a != b if type(a) is float and type(b) is float else _ne(a, b)
        for a, b in zip(left, right, strict=False)
    ]


def _c_or(left: Iterable[Any], right: Iterable[Any]) -> list[Any]:
    return [
        (a or b) if type(a) is bool and type(b) is bool else _or(a, b)
        for a, b in zip(left, right, strict=False)
    ]


def _c_and(left: Iterable[Any], right: Iterable[Any]) -> list[Any]:
    return [
        (a and b) if type(a) is bool and type(b) is bool else _and(a, b)
        for a, b in zip(left, right, strict=False)
    ]


COLUMNS: dict[str, Column] = {
    "+": _c_add,
    "-": _c_sub,
    "*": _c_mul,
    "/": _c_div,
    "%": lambda left, right: list(map(_mod, left, right)),
    "<": _c_lt,
    "<=": _c_le,
    ">": _c_gt,
    ">=": _c_ge,
    "==": _c_eq,
    "!=": _c_ne,
    "||": _c_or,
    "&&": _c_and,
}


# --- evaluating a tree over columns ------------------------------------------------------------


def _evaluate(node: Node, columns: Columns) -> Any:
    op = node[0]
    if op == "const":
        return node[1]
    if op == "get":
        return columns.column(node[1], node[2])
    if op == "has":
        return [value is not ABSENT for value in columns.column(node[1], node[2])]
    if op == "!":
        return _map1(_not, _evaluate(node[1], columns))
    if op == "neg":
        return _map1(_neg, _evaluate(node[1], columns))
    if op == "?:":
        cond = _evaluate(node[1], columns)
        then = _evaluate(node[2], columns)
        other = _evaluate(node[3], columns)
        if not any(isinstance(x, list) for x in (cond, then, other)):
            return _choose(cond, then, other)
        n = columns.size
        return list(map(_choose, _spread(cond, n), _spread(then, n), _spread(other, n)))
    left = _evaluate(node[1], columns)
    right = _evaluate(node[2], columns)
    if isinstance(left, list):
        if isinstance(right, list):
            return COLUMNS[op](left, right)
        return COLUMNS[op](left, repeat(right, len(left)))
    if isinstance(right, list):
        return COLUMNS[op](repeat(left, len(right)), right)
    return BINARY[op](left, right)


def _spread(value: Any, n: int) -> Any:
    return value if isinstance(value, list) else repeat(value, n)


def _map1(fn: Callable[[Any], Any], value: Any) -> Any:
    if isinstance(value, list):
        return list(map(fn, value))
    return fn(value)


# --- outcomes ----------------------------------------------------------------------------------


def outcomes(
    rule: rules.CompiledRule,
    rule_plan: Plan | None,
    columns: Columns,
    fallback: Callable[[int], rules.Outcome],
) -> list[rules.Outcome]:
    """Return the outcome of ``rule`` for every unit of ``columns``, in order.

    ``fallback(i)`` evaluates the rule for unit ``i`` with the ``cel`` library: called for
    every unit when there is no plan, otherwise only for the units the plan leaves undecided.
    """
    n = columns.size
    if rule_plan is None:
        return [fallback(i) for i in range(n)]
    values = rule_plan.run(columns)
    if not isinstance(values, list):
        values = [values] * n
    # What ``rules.missing_of`` names, in its order: m, prev, unit, t.
    missing: dict[int, list[str]] = {}
    for variable, names in (
        ("m", rule.current),
        ("prev", rule.previous),
        ("unit", rule.facts),
        ("t", rule.targets),
    ):
        for name in names:
            label = f"{variable}.{name}"
            for i in columns.absent(variable, name):
                missing.setdefault(i, []).append(label)
    Outcome = rules.Outcome
    met, not_met = rules.MET, rules.NOT_MET
    out: list[Any] = [
        Outcome(met, []) if v is True else Outcome(not_met, []) if v is False else None
        for v in values
    ]
    for i, labels in missing.items():
        value = values[i]
        if value is True or value is False:
            out[i].missing = labels
        elif value is ABSENT:
            out[i] = Outcome(rules.INSUFFICIENT, labels)
    for i, value in enumerate(values):
        if value is not True and value is not False and out[i] is None:
            out[i] = fallback(i)
    return out
