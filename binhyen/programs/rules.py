"""Criteria rules in CEL (Common Expression Language): checking, compiling and evaluating.

A rule sees four variables, nothing else:

- ``m`` — a map of metric code → double: the unit's value of every metric in the
  evaluation window (``m.serious_crimes == 0.0``);
- ``prev`` — the same for the previous window (``m.crimes <= prev.crimes * 0.95``);
- ``unit`` — facts about the unit: ``kind``, ``subkind``, ``code`` (strings) and
  ``population``, ``households``, ``area_km2`` (doubles);
- ``t`` — a map of metric code → double: the unit's target (chỉ tiêu) of that metric for
  the evaluated period, as the registered target sources give it
  (``binhyen.indicators.target_sources``: the unit's own target over an allocated one, a
  yearly one over shorter ones) — ``m.schemes_new >= t.schemes_new``.

Invariants:
- A rule is CEL compiled by the ``cel`` library; Python is never evaluated. A rule is
  checked when saved (``check``): syntax (with the line and column CEL reports), every
  ``m.x`` / ``prev.x`` names an active metric, every ``unit.x`` names a known fact, no other
  top-level name is used, and the result is a bool (a dry run on sample values; errors in
  branches the samples do not reach surface at evaluation as ``error``).
- Missing data: a metric without a value in a window is *absent* from ``m`` / ``prev``
  (never 0), and so is a metric the unit has no target of from ``t``. A rule that reads an
  absent value evaluates to ``insufficient`` ("không đủ dữ liệu", naming ``t.x`` for a
  missing target), shown apart from ``not_met``; a rule may handle absence itself with
  ``has(m.x)`` or ``!has(t.x) || m.x >= t.x`` (no target: met).
  CEL's logical operators absorb errors (``m.a == 0.0 || m.b == 0.0`` is true when
  ``m.a`` is 0 even if ``m.b`` is absent), as the CEL specification says.
- Division of doubles: ``x / 0.0`` is infinite; ``0.0 / 0.0`` is NaN and comparing NaN is
  an error (the rule shows ``error`` naming the likely 0/0); write
  ``m.villages > 0.0 && m.villages_pledged / m.villages >= 1.0`` where it matters.
- Positions are 1-based (line, column), as CEL reports them.
- ``evaluate`` is the reference: ``columnar`` evaluates rules over many units at once and
  gives exactly its outcomes (status, missing names, message), handing it every case it
  does not decide itself; a change of semantics here is a change there.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import cel
from django.utils.translation import gettext as _

VARIABLES = ("m", "prev", "unit", "t")
FACTS: dict[str, str] = {
    "kind": "string",
    "subkind": "string",
    "code": "string",
    "population": "double",
    "households": "double",
    "area_km2": "double",
}
# CEL macros that bind a variable: ``list.all(x, x > 0)``.
BINDING_MACROS = ("all", "exists", "exists_one", "map", "filter")
KEYWORDS = {"true", "false", "null", "in", "has"}
MAX_LENGTH = 2000

MET = "met"
NOT_MET = "not_met"
INSUFFICIENT = "insufficient"
ERROR = "error"


class RuleError(ValueError):
    """A rule that cannot be saved; ``line``/``column`` are 1-based (None: whole rule)."""

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        code: str = "invalid",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.code = code


# --- a small lexer: identifiers and punctuation with positions, strings skipped ---------------


@dataclass(frozen=True)
class Token:
    kind: str  # "ident", "string", "punct", "number"
    text: str
    line: int
    column: int
    value: str = ""  # the contents of a string literal


_IDENT = re.compile(r"[_A-Za-z][_A-Za-z0-9]*")
_NUMBER = re.compile(
    r"(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)[uU]?"
)


def tokenize(source: str) -> list[Token]:
    """Split ``source`` into tokens (comments dropped); never raises on odd input."""
    tokens: list[Token] = []
    i, line, col = 0, 1, 1
    n = len(source)

    def advance(text: str) -> None:
        nonlocal line, col
        for ch in text:
            if ch == "\n":
                line += 1
                col = 1
            else:
                col += 1

    while i < n:
        ch = source[i]
        if ch in " \t\r\n":
            advance(ch)
            i += 1
            continue
        if source.startswith("//", i):
            end = source.find("\n", i)
            end = n if end < 0 else end
            advance(source[i:end])
            i = end
            continue
        start_line, start_col = line, col
        prefix = ""
        j = i
        while j < n and source[j] in "rRbB" and len(prefix) < 2:
            prefix += source[j]
            j += 1
        if j < n and source[j] in "'\"":
            quote = source[j] * 3 if source.startswith(source[j] * 3, j) else source[j]
            raw = "r" in prefix.lower()
            k = j + len(quote)
            body: list[str] = []
            while k < n and not source.startswith(quote, k):
                if source[k] == "\\" and not raw and k + 1 < n:
                    body.append(source[k : k + 2])
                    k += 2
                    continue
                if len(quote) == 1 and source[k] == "\n":
                    break
                body.append(source[k])
                k += 1
            k = min(n, k + len(quote))
            text = source[i:k]
            tokens.append(Token("string", text, start_line, start_col, "".join(body)))
            advance(text)
            i = k
            continue
        match = _IDENT.match(source, i)
        if match:
            text = match.group(0)
            tokens.append(Token("ident", text, start_line, start_col))
            advance(text)
            i = match.end()
            continue
        match = _NUMBER.match(source, i)
        if match and match.group(0):
            text = match.group(0)
            tokens.append(Token("number", text, start_line, start_col))
            advance(text)
            i = match.end()
            continue
        tokens.append(Token("punct", ch, start_line, start_col))
        advance(ch)
        i += 1
    return tokens


@dataclass(frozen=True)
class Reference:
    """A use of ``m.x``, ``prev.x`` or ``unit.x`` in a rule, with its position."""

    variable: str
    name: str
    line: int
    column: int


def references(source: str) -> tuple[list[Reference], list[Token]]:
    """Return (field references of m/prev/unit, other top-level identifiers) in ``source``."""
    tokens = tokenize(source)
    refs: list[Reference] = []
    others: list[Token] = []
    bound: set[str] = set()
    for idx, tok in enumerate(tokens):
        if tok.kind != "ident":
            continue
        before = tokens[idx - 1] if idx > 0 else None
        after = tokens[idx + 1] if idx + 1 < len(tokens) else None
        after2 = tokens[idx + 2] if idx + 2 < len(tokens) else None
        after3 = tokens[idx + 3] if idx + 3 < len(tokens) else None
        if before is not None and before.kind == "punct" and before.text == ".":
            # A field or method name; a binding macro introduces a variable name.
            if (
                tok.text in BINDING_MACROS
                and after is not None
                and after.text == "("
                and after2 is not None
                and after2.kind == "ident"
            ):
                bound.add(after2.text)
            continue
        if after is not None and after.kind == "punct" and after.text == "(":
            continue  # a function call: size(), has(), int(), double()...
        if tok.text in KEYWORDS or tok.text in bound:
            continue
        if tok.text in VARIABLES:
            if (
                after is not None
                and after.text == "."
                and after2 is not None
                and after2.kind == "ident"
            ):
                refs.append(Reference(tok.text, after2.text, after2.line, after2.column))
            elif (
                after is not None
                and after.text == "["
                and after2 is not None
                and after2.kind == "string"
                and after3 is not None
                and after3.text == "]"
            ):
                refs.append(Reference(tok.text, after2.value, after2.line, after2.column))
            continue
        others.append(tok)
    return refs, others


# --- checking -----------------------------------------------------------------------------

_POSITION = re.compile(r"<input>:(\d+):(\d+):\s*(.*)")


def _syntax_reason(detail: str) -> str:
    if "<EOF>" in detail:
        return _("biểu thức kết thúc khi còn thiếu toán hạng hoặc dấu ngoặc")
    if "token recognition error" in detail:
        return _("có ký tự không hợp lệ")
    match = re.search(r"(?:mismatched|extraneous) input '([^']*)'", detail)
    if match:
        return _("không chờ đợi “%(token)s” ở đây") % {"token": match.group(1)}
    match = re.search(r"missing '([^']*)'", detail)
    if match:
        return _("thiếu “%(token)s”") % {"token": match.group(1)}
    return _("cú pháp không hợp lệ")


def _syntax_error(exc: Exception) -> RuleError:
    text = str(exc)
    match = _POSITION.search(text)
    if match is None:
        return RuleError(_("Lỗi cú pháp: biểu thức không hợp lệ."), code="syntax")
    line, column = int(match.group(1)), int(match.group(2))
    reason = _syntax_reason(match.group(3))
    return RuleError(
        _("Lỗi cú pháp tại dòng %(line)s, cột %(column)s: %(reason)s.")
        % {"line": line, "column": column, "reason": reason},
        line=line,
        column=column,
        code="syntax",
    )


@dataclass
class CompiledRule:
    """A checked rule, compiled once and evaluated many times."""

    source: str
    program: Any
    metric_codes: list[str]  # every metric read through m or prev, in order of appearance
    current: tuple[str, ...]  # metrics read through m
    previous: tuple[str, ...]  # metrics read through prev
    facts: tuple[str, ...]
    targets: tuple[str, ...] = ()  # metrics read through t


def _dedupe(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def compile_rule(source: str) -> CompiledRule:
    """Compile a rule without checking metric names (for rules already validated on save)."""
    try:
        program = cel.compile(source)
    except ValueError as exc:
        raise _syntax_error(exc) from exc
    refs, _others = references(source)
    current = _dedupe([r.name for r in refs if r.variable == "m"])
    previous = _dedupe([r.name for r in refs if r.variable == "prev"])
    return CompiledRule(
        source=source,
        program=program,
        metric_codes=list(_dedupe([r.name for r in refs if r.variable in ("m", "prev")])),
        current=current,
        previous=previous,
        facts=_dedupe([r.name for r in refs if r.variable == "unit"]),
        targets=_dedupe([r.name for r in refs if r.variable == "t"]),
    )


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, float):
        return _("số thực")
    if isinstance(value, int):
        return _("số nguyên")
    if isinstance(value, str):
        return _("chuỗi")
    if isinstance(value, (list, tuple)):
        return _("danh sách")
    if isinstance(value, dict):
        return _("bảng (map)")
    if value is None:
        return "null"
    return type(value).__name__


def _samples(rule: CompiledRule) -> list[dict[str, Any]]:
    facts = {name: ("commune" if kind == "string" else 1000.0) for name, kind in FACTS.items()}
    out = []
    # Non-zero values: 0/0 is NaN, which CEL refuses to compare; that is a data case
    # reported at evaluation, not a type error of the rule.
    for now, before in ((1.0, 1.0), (2.0, 1.0), (3.0, 5.0)):
        out.append(
            {
                "m": dict.fromkeys(rule.metric_codes, now),
                "prev": dict.fromkeys(rule.metric_codes, before),
                "unit": facts,
                "t": dict.fromkeys(rule.targets, before),
            }
        )
    return out


def check(source: str, *, metric_codes: Collection[str]) -> CompiledRule:
    """Return the compiled rule, or raise ``RuleError`` naming the problem and its position.

    ``metric_codes`` are the codes a rule may read (the active metric catalogue).
    """
    text = source or ""
    if not text.strip():
        raise RuleError(_("Biểu thức CEL đang để trống."), code="empty")
    if len(text) > MAX_LENGTH:
        raise RuleError(
            _("Biểu thức dài quá %(max)s ký tự.") % {"max": MAX_LENGTH}, code="too_long"
        )
    rule = compile_rule(text)
    refs, others = references(text)
    for tok in others:
        raise RuleError(
            _(
                "Tên “%(name)s” không xác định (dòng %(line)s, cột %(column)s): chỉ dùng m "
                "(số liệu kỳ đánh giá), prev (kỳ trước), unit (thông tin đơn vị) và t (chỉ tiêu "
                "được giao)."
            )
            % {"name": tok.text, "line": tok.line, "column": tok.column},
            line=tok.line,
            column=tok.column,
            code="unknown_variable",
        )
    known = set(metric_codes)
    for ref in refs:
        if ref.variable in ("m", "prev", "t") and ref.name not in known:
            raise RuleError(
                _("Chỉ tiêu “%(code)s” không tồn tại (dòng %(line)s, cột %(column)s).")
                % {"code": ref.name, "line": ref.line, "column": ref.column},
                line=ref.line,
                column=ref.column,
                code="unknown_metric",
            )
        if ref.variable == "unit" and ref.name not in FACTS:
            raise RuleError(
                _(
                    "Thông tin đơn vị “unit.%(name)s” không có (dòng %(line)s, cột %(column)s); "
                    "dùng: %(facts)s."
                )
                % {
                    "name": ref.name,
                    "line": ref.line,
                    "column": ref.column,
                    "facts": ", ".join(f"unit.{f}" for f in FACTS),
                },
                line=ref.line,
                column=ref.column,
                code="unknown_fact",
            )
    for sample in _samples(rule):
        try:
            result = rule.program.execute(cel.Context(sample))
        except ZeroDivisionError:
            continue
        except (ArithmeticError, IndexError) as exc:
            raise RuleError(
                _("Biểu thức không tính được trên số liệu mẫu (tràn số hoặc vượt quá danh sách)."),
                line=1,
                column=1,
                code="eval",
            ) from exc
        except (TypeError, RuntimeError, ValueError, KeyError) as exc:
            raise RuleError(
                _(
                    "Lỗi kiểu dữ liệu: phép toán không áp dụng được cho các kiểu đã dùng "
                    "(mọi chỉ tiêu là số thực, viết 5.0 thay cho 5 khi cộng trừ). %(detail)s"
                )
                % {"detail": _type_detail(exc)},
                line=1,
                column=1,
                code="type",
            ) from exc
        if not isinstance(result, bool):
            raise RuleError(
                _(
                    "Biểu thức phải cho kết quả đúng/sai (ví dụ m.crimes <= 5.0), nhưng cho ra "
                    "%(type)s."
                )
                % {"type": _type_name(result)},
                line=1,
                column=1,
                code="type",
            )
    return rule


def _type_detail(exc: Exception) -> str:
    text = str(exc)
    match = re.search(r"Unsupported operation: (\w+) ([^ ]+) (\w+)", text)
    if match:
        return _("Không thể tính %(a)s %(op)s %(b)s.") % {
            "a": match.group(1),
            "op": match.group(2),
            "b": match.group(3),
        }
    return ""


# --- evaluation ---------------------------------------------------------------------------


@dataclass
class Outcome:
    """The result of one rule for one unit, with what was missing."""

    status: str
    missing: list[str] = field(default_factory=list)
    message: str = ""


def context(
    current: Mapping[str, float],
    previous: Mapping[str, float],
    facts: Mapping[str, Any],
    targets: Mapping[str, float] | None = None,
) -> Any:
    """Build a CEL context once per unit; converting maps is the costly part of a call."""
    return cel.Context(
        {"m": dict(current), "prev": dict(previous), "unit": dict(facts), "t": dict(targets or {})}
    )


def missing_of(
    rule: CompiledRule,
    current: Mapping[str, float],
    previous: Mapping[str, float],
    facts: Mapping[str, Any],
    targets: Mapping[str, float] | None = None,
) -> list[str]:
    given = targets or {}
    if (
        current.keys() >= set(rule.current)
        and previous.keys() >= set(rule.previous)
        and facts.keys() >= set(rule.facts)
        and given.keys() >= set(rule.targets)
    ):
        return []  # the common case, checked without building strings
    out = [f"m.{c}" for c in rule.current if c not in current]
    out += [f"prev.{c}" for c in rule.previous if c not in previous]
    out += [f"unit.{f}" for f in rule.facts if f not in facts]
    out += [f"t.{c}" for c in rule.targets if c not in given]
    return out


def evaluate(
    rule: CompiledRule,
    ctx: Any,
    current: Mapping[str, float],
    previous: Mapping[str, float],
    facts: Mapping[str, Any],
    targets: Mapping[str, float] | None = None,
) -> Outcome:
    """Evaluate ``rule`` in a context built by ``context`` from the same maps."""
    try:
        result = rule.program.execute(ctx)
    except KeyError as exc:
        missing = missing_of(rule, current, previous, facts, targets) or [
            str(exc.args[0] if exc.args else "")
        ]
        return Outcome(INSUFFICIENT, missing=missing)
    except ZeroDivisionError:
        return Outcome(ERROR, message=_("Chia cho 0 trong biểu thức."))
    except (ArithmeticError, IndexError):
        return Outcome(ERROR, message=_("Tràn số hoặc vượt quá danh sách khi tính."))
    except (TypeError, RuntimeError, ValueError) as exc:
        zeros = [c for c in rule.current if current.get(c) == 0.0]
        zeros += [c for c in rule.previous if previous.get(c) == 0.0]
        if zeros:
            return Outcome(
                ERROR,
                message=_("Không so sánh được: có phép chia 0 cho 0 (%(codes)s bằng 0).")
                % {"codes": ", ".join(dict.fromkeys(zeros))},
            )
        detail = _type_detail(exc) or _("phép toán không áp dụng được cho các kiểu dữ liệu")
        return Outcome(ERROR, message=str(detail))
    if not isinstance(result, bool):
        return Outcome(
            ERROR,
            message=_("Biểu thức cho ra %(type)s thay vì đúng/sai.") % {"type": _type_name(result)},
        )
    return Outcome(
        MET if result else NOT_MET, missing=missing_of(rule, current, previous, facts, targets)
    )
