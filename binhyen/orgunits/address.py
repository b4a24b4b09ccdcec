"""Resolve a free-text Vietnamese address to a unit of the map, before or after the 2025 reform.

The package parser (``vietnamadminunits.parse_address``) reads the text twice: as a
pre-2025 address (province, district, commune) and as a 2025 address (province, commune).
Each reading can be wrong in its own way: the 2025 reading fuzzy-matches old addresses onto
unrelated new communes ("Xã Lương Phong, Huyện Hiệp Hòa, Tỉnh Bắc Giang" reads as "Phường
Bắc Giang, Tỉnh Bắc Ninh"), and the pre-2025 reading of a 2025-only commune finds only the
province. A third reading handles a 2025 commune written with its old province ("Xã Hiệp
Hòa, Bắc Giang"): the old province's words are replaced by its successor's name and the
text is read again as a 2025 address.

Every reading becomes candidates (commune, district, province) scored on evidence: the
unit's name, with or without its type word ("xã", "huyện", "tp", ...), must appear in the
input as whole words; evidence for one unit may not reuse the words that name another unit
of the same reading; a bare name right after a type word of another kind ("Tỉnh Bắc Giang")
or on the words another reading took as its province does not count. The best-scored
candidate wins; ties go to the deeper unit, then to the era ``on`` points at (today when
not given).

Invariants:
- Nothing here uses the network: only the package's offline parser is called (never
  ``convert_address``, which may geocode); successors come from our ``Lineage`` table.
- No evidence, no match: text that names no unit gives ``None`` rather than a guess.
- Database lookups are by ``code`` (unique index) and by lineage predecessor (indexed).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from django.db.models import F

from binhyen.core.text import fold
from binhyen.orgunits.importer import reform_date
from binhyen.orgunits.models import LEGACY_PREFIX, Lineage, OrgUnit, UnitKind

logger = logging.getLogger(__name__)

Era = Literal["current", "legacy"]
CURRENT: Era = "current"
LEGACY: Era = "legacy"
# Longer text is truncated: no address needs more, and the parser's regexes scan it all.
MAX_INPUT = 500
# Longest run of words tried as one name ("xã chân mây lăng cô" is five).
MAX_RUN = 9

# Folded type name → the compact spellings that stand for it in addresses.
TYPE_ALIASES: dict[str, tuple[str, ...]] = {
    "xa": ("xa", "x"),
    "phuong": ("phuong", "p"),
    "thi tran": ("thitran", "tt"),
    "dac khu": ("dackhu", "dk"),
    "huyen": ("huyen", "h"),
    "quan": ("quan", "q"),
    "thi xa": ("thixa", "tx"),
    "thanh pho": ("thanhpho", "tp"),
    "tinh": ("tinh", "t"),
}
# Spelled-out type words: a name right after one of another type is not this unit's name
# ("Tỉnh Bắc Giang" does not name "Phường Bắc Giang"). One-letter abbreviations are left
# out because they also occur as parts of names.
TYPE_WORDS: frozenset[str] = frozenset(
    alias for aliases in TYPE_ALIASES.values() for alias in aliases if len(alias) > 1
)
# Common short names of provinces that are not derived from the official name.
PROVINCE_ALIASES: dict[str, tuple[str, ...]] = {
    "hanoi": ("hn",),
    "hochiminh": ("hcm", "tphcm", "saigon", "sg"),
    "bariavungtau": ("brvt", "baria", "vungtau"),
}
# Points for evidence of each component: a full name (with its type word) or a bare name.
TYPED, BARE = 3, 2
PROVINCE_POINTS = 1
RANKS: dict[str, int] = {UnitKind.COMMUNE: 2, UnitKind.DISTRICT: 1, UnitKind.PROVINCE: 0}

_WORD = re.compile(r"[a-z0-9]+")


@dataclass
class AddressMatch:
    """The unit an address names, and where that place belongs today.

    ``successors`` are the current units the matched unit became, default first (for a
    current unit: the unit itself); ``province`` is the current province of the default
    successor. ``confidence`` (0–1) is the share of possible name evidence found;
    ``notes`` say which evidence was used (diagnostics, not for display).
    """

    unit: OrgUnit
    era: Era
    successors: list[OrgUnit]
    province: OrgUnit | None
    confidence: float
    notes: list[str] = field(default_factory=list)

    @property
    def current(self) -> OrgUnit | None:
        """Return the default current successor (the unit itself when it is current)."""
        return self.successors[0] if self.successors else None


@dataclass(frozen=True)
class _Name:
    """One named component of a reading (province, district or commune)."""

    typed: frozenset[str]
    bare: frozenset[str]
    own_types: frozenset[str]


@dataclass
class _Candidate:
    code: str
    era: Era
    rank: int
    score: float
    possible: float
    notes: list[str]


@dataclass
class _Reading:
    """One parse of the text: its units from the province down, each with its keywords."""

    era: Era
    units: list[tuple[str, str, _Name | None]]  # (kind, code, name), province first
    province_points: float = PROVINCE_POINTS
    province_span: tuple[int, int] | None = None
    label: str = ""


def _tokens(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _compact(text: str) -> str:
    return "".join(_tokens(text))


def _name(full: str | None, type_name: str | None) -> _Name | None:
    """Build the keywords of a unit from its full name ("Xã Lương Phong") and type ("Xã")."""
    if not full:
        return None
    folded = fold(full)
    type_folded = fold(type_name or "")
    if not type_folded:
        type_folded = next((t for t in TYPE_ALIASES if folded.startswith(t + " ")), "")
    bare = folded[len(type_folded) :].strip() if folded.startswith(type_folded) else folded
    bare_compact = _compact(bare)
    aliases = TYPE_ALIASES.get(type_folded, ())
    typed = {alias + bare_compact for alias in aliases}
    # A bare number ("Phường 1" → "1") names nothing without its type word.
    bare_keys = {bare_compact} if bare_compact and not bare_compact.isdigit() else set()
    bare_keys |= set(PROVINCE_ALIASES.get(bare_compact, ()))
    return _Name(frozenset(typed), frozenset(bare_keys), frozenset(aliases))


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in spans)


def _evidence(
    tokens: list[str],
    name: _Name,
    used: list[tuple[int, int]],
    foreign: list[tuple[int, int]],
) -> tuple[bool, tuple[int, int] | None]:
    """Return (typed?, span) of the best, rightmost occurrence of ``name`` in ``tokens``.

    ``used`` spans already name another unit of the same reading; a bare name may not
    overlap ``foreign`` spans either (words another reading took as its province).
    """
    best: tuple[int, int, tuple[int, int] | None] = (0, -1, None)
    for start in range(len(tokens)):
        text = ""
        for end in range(start + 1, min(len(tokens), start + MAX_RUN) + 1):
            text += tokens[end - 1]
            span = (start, end)
            if _overlaps(span, used):
                break
            if text in name.typed:
                found = (2, start, span)
            elif (
                text in name.bare
                and not _overlaps(span, foreign)
                and not _after_other_type(tokens, start, name)
            ):
                found = (1, start, span)
            else:
                continue
            if found[:2] > best[:2]:
                best = found
    return best[0] == 2, best[2]


def _after_other_type(tokens: list[str], start: int, name: _Name) -> bool:
    """Return True if the words just before ``start`` are a type word not of this unit."""
    for width in (1, 2):
        if start - width >= 0:
            word = "".join(tokens[start - width : start])
            if word in TYPE_WORDS and word not in name.own_types:
                return True
    return False


def _score_reading(
    reading: _Reading, tokens: list[str], foreign: list[tuple[int, int]]
) -> list[_Candidate]:
    """Return a candidate for each unit of the reading whose own name has evidence."""
    found: list[_Candidate] = []
    used: list[tuple[int, int]] = []
    score = 0.0
    possible = 0.0
    notes: list[str] = []
    for kind, code, name in reading.units:
        if name is None:
            break
        if kind == UnitKind.PROVINCE:
            span = reading.province_span
            points = reading.province_points
            possible += PROVINCE_POINTS
            how = reading.label or "name"
        else:
            typed, span = _evidence(tokens, name, used, foreign)
            points = TYPED if typed else BARE
            possible += TYPED
            how = "typed" if typed else "bare"
        if span is None:
            if kind == UnitKind.PROVINCE:
                continue
            break
        used.append(span)
        score += points
        notes.append(f"{kind}:{how}")
        found.append(_Candidate(code, reading.era, RANKS[kind], score, possible, list(notes)))
    return found


def _parse(text: str, mode: Any, level: int) -> Any:
    from vietnamadminunits import parse_address

    try:
        return parse_address(text, mode=mode, keep_street=False, level=level)
    except Exception:
        # A parser failure on odd input means "no reading", never an error for the caller.
        logger.warning("address parser failed", exc_info=True)
        return None


def _legacy_reading(text: str) -> _Reading | None:
    from vietnamadminunits import ParseMode

    parsed = _parse(text, ParseMode.LEGACY, 3)
    if parsed is None or not parsed.province_code:
        return None
    units: list[tuple[str, str, _Name | None]] = [
        (UnitKind.PROVINCE, LEGACY_PREFIX + parsed.province_code, _name(parsed.province, None))
    ]
    if parsed.district_code:
        units.append(
            (
                UnitKind.DISTRICT,
                LEGACY_PREFIX + parsed.district_code,
                _name(parsed.district, parsed.district_type),
            )
        )
        if parsed.ward_code:
            units.append(
                (
                    UnitKind.COMMUNE,
                    LEGACY_PREFIX + parsed.ward_code,
                    _name(parsed.ward, parsed.ward_type),
                )
            )
    return _Reading(LEGACY, units)


def _current_reading(text: str) -> _Reading | None:
    from vietnamadminunits import ParseMode

    parsed = _parse(text, ParseMode.FROM_2025, 2)
    if parsed is None or not parsed.province_code:
        return None
    units: list[tuple[str, str, _Name | None]] = [
        (UnitKind.PROVINCE, parsed.province_code, _name(parsed.province, None))
    ]
    if parsed.ward_code:
        units.append((UnitKind.COMMUNE, parsed.ward_code, _name(parsed.ward, parsed.ward_type)))
    return _Reading(CURRENT, units)


def _renamed_province_reading(
    text: str, tokens: list[str], legacy: _Reading, current: _Reading | None
) -> _Reading | None:
    """Read a 2025 commune written with its old province ("Xã Hiệp Hòa, Bắc Giang").

    The words naming the old province are replaced by the name of the province it became,
    and the text is parsed again as a 2025 address. Its province evidence counts half: the
    text names the province only by its old name.
    """
    span = legacy.province_span
    if span is None:
        return None
    old_code = legacy.units[0][1]
    link = (
        Lineage.objects.filter(predecessor__code=old_code, is_default=True)
        .select_related("successor")
        .annotate(predecessor_name=F("predecessor__name"))
        .first()
    )
    if link is None or fold(link.successor.name) == fold(link.predecessor_name):
        return None
    if current is not None and current.province_span is not None:
        return None
    folded = fold(text)
    offsets = [m.span() for m in _WORD.finditer(folded)]
    renamed = (
        folded[: offsets[span[0]][0]]
        + fold(link.successor.name)
        + folded[offsets[span[1] - 1][1] :]
    )
    reading = _current_reading(renamed)
    if reading is None or reading.units[0][1] != link.successor.code:
        return None
    reading.province_span = span
    reading.province_points = PROVINCE_POINTS / 2
    reading.label = "old_name"
    return reading


def _candidates(text: str, tokens: list[str]) -> list[_Candidate]:
    readings = [r for r in (_legacy_reading(text), _current_reading(text)) if r is not None]
    for reading in readings:
        name = reading.units[0][2]
        if name is not None:
            reading.province_span = _evidence(tokens, name, [], [])[1]
    legacy = next((r for r in readings if r.era == LEGACY), None)
    current = next((r for r in readings if r.era == CURRENT), None)
    if legacy is not None:
        renamed = _renamed_province_reading(text, tokens, legacy, current)
        if renamed is not None:
            readings.append(renamed)
    found: list[_Candidate] = []
    for reading in readings:
        foreign = [
            r.province_span for r in readings if r is not reading and r.province_span is not None
        ]
        found.extend(_score_reading(reading, tokens, foreign))
    return found


def _current_successors(unit: OrgUnit) -> list[OrgUnit]:
    """Return the current units ``unit`` became, default first."""
    if unit.is_current:
        return [unit]
    links = Lineage.objects.filter(predecessor=unit).select_related("successor__parent")
    successors = [link.successor for link in links.order_by("-is_default", "successor__path")]
    if successors or unit.kind != UnitKind.DISTRICT:
        return successors
    # A district had no successor of its own (only island districts do): all its communes
    # went to the successor of its province, which is where the district lies today.
    ancestors = unit.ancestor_codes
    if len(ancestors) < 2:
        return []
    links = Lineage.objects.filter(predecessor__code=ancestors[1]).select_related(
        "successor__parent"
    )
    return [link.successor for link in links.order_by("-is_default", "successor__path")]


def _province_of(unit: OrgUnit | None) -> OrgUnit | None:
    while unit is not None and unit.kind not in (UnitKind.PROVINCE, UnitKind.COUNTRY):
        unit = unit.parent
    return unit if unit is not None and unit.kind == UnitKind.PROVINCE else None


def resolve_address(text: str | None, *, on: date | None = None) -> AddressMatch | None:
    """Return the unit ``text`` names (old or new) with its current successors, or None.

    ``on`` is the date the address refers to, when known (a record's date): it breaks ties
    between a pre-2025 and a 2025 reading in favour of the era in force on that day.
    """
    if text is None:
        return None
    text = text.strip()[:MAX_INPUT]
    tokens = _tokens(text)
    if not tokens:
        return None
    if isinstance(on, datetime):
        on = on.date()
    preferred: Era = LEGACY if on is not None and on < reform_date() else CURRENT
    candidates = _candidates(text, tokens)
    if not candidates:
        return None
    candidates.sort(key=lambda c: (c.score, c.rank, c.era == preferred), reverse=True)
    units = OrgUnit.objects.select_related("parent").in_bulk(
        [c.code for c in candidates], field_name="code"
    )
    for candidate in candidates:
        unit = units.get(candidate.code)
        if unit is None:
            continue
        successors = _current_successors(unit)
        notes = [*candidate.notes, f"era:{candidate.era}"]
        if on is not None:
            notes.append(f"on:{preferred}")
        return AddressMatch(
            unit=unit,
            era=candidate.era,
            successors=successors,
            province=_province_of(successors[0]) if successors else None,
            confidence=round(min(1.0, candidate.score / candidate.possible), 2),
            notes=notes,
        )
    return None


def resolve_address_to_current(text: str | None, *, on: date | None = None) -> OrgUnit | None:
    """Return the current unit ``text`` belongs to today (default successor), or None."""
    match = resolve_address(text, on=on)
    return match.current if match is not None else None
