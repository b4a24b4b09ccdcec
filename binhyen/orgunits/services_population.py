"""Population and households of a province's communes and villages, set in one batch.

Invariants:
- The scope is an open province (its communes and their villages) or an open commune (itself
  and its villages); the actor holds ``CHANGE_UNITS`` on it, otherwise ``PermissionDenied``
  (callers answer 404, as for a missing unit).
- All or nothing: every row is checked first (unknown code, unit outside the scope or not a
  commune or village, closed unit, duplicate code, negative or too large figure, year out of
  range, households above the population) and any problem refuses the whole batch with
  every row's problems (``BulkValidationError``). Nothing is half-saved.
- A blank figure keeps the unit's current one; the year defaults to the current year.
- The unit's ``population``/``households``/``population_year`` are what per-1,000 rates
  divide by (see ``indicators.engine.population``).
- Audit: one ``orgunit.population_import`` event on the scope with the counts (rows read,
  units changed, year, file name); no event per unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.accounts import permissions
from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record
from binhyen.core.tabular import BulkValidationError, RowError
from binhyen.orgunits.models import HOUSEHOLDS_MAX, POPULATION_MAX, OrgUnit, UnitKind

SCOPE_KINDS: tuple[str, ...] = (UnitKind.PROVINCE, UnitKind.COMMUNE)
ROW_KINDS: tuple[str, ...] = (UnitKind.COMMUNE, UnitKind.VILLAGE)
FIRST_YEAR = 2000
LOOKUP_CHUNK = 900  # codes per query: well under SQLite's limit of bound parameters


@dataclass
class PopulationRow:
    """One row of the workbook: a unit code and its figures (None: keep the current one)."""

    code: str
    population: int | None = None
    households: int | None = None
    year: int | None = None
    row: int = 0


def population_scope_check(*, actor: Actor, scope: OrgUnit) -> None:
    """Raise ``PermissionDenied`` unless ``scope`` is an open province or commune ``actor``
    may change."""
    if scope.kind not in SCOPE_KINDS or not scope.is_current:
        raise PermissionDenied(_("Chỉ nhập dân số cho một tỉnh hoặc một xã/phường đang hoạt động."))
    if not permissions.has_perm_on(actor, permissions.CHANGE_UNITS, scope):
        raise PermissionDenied(_("Bạn không có quyền thay đổi đơn vị này."))


def population_units(scope: OrgUnit) -> Q:
    """Return the filter of the units a workbook of ``scope`` may set: the open communes and
    villages under it (and the commune itself)."""
    inside = Q(path__startswith=scope.path, kind__in=ROW_KINDS, valid_to__isnull=True)
    if scope.kind == UnitKind.COMMUNE:
        inside &= Q(kind=UnitKind.VILLAGE) | Q(pk=scope.pk)
    return inside


def _units_by_code(codes: Sequence[str]) -> dict[str, OrgUnit]:
    found: dict[str, OrgUnit] = {}
    unique = sorted(set(codes))
    for start in range(0, len(unique), LOOKUP_CHUNK):
        chunk = unique[start : start + LOOKUP_CHUNK]
        found.update((u.code, u) for u in OrgUnit.objects.filter(code__in=chunk))
    return found


def _row_errors(
    row: PopulationRow, unit: OrgUnit | None, scope: OrgUnit, this_year: int
) -> list[RowError]:
    errors: list[RowError] = []
    if unit is None:
        return [RowError(row.row, "code", _("Không có đơn vị mã “%(code)s”.") % {"code": row.code})]
    inside = unit.path.startswith(scope.path) and unit.kind in ROW_KINDS
    if inside and scope.kind == UnitKind.COMMUNE:
        inside = unit.kind == UnitKind.VILLAGE or unit.pk == scope.pk
    if not inside:
        errors.append(
            RowError(
                row.row,
                "code",
                _(
                    "%(unit)s (mã %(code)s) không phải xã/phường hoặc thôn, tổ dân phố "
                    "của %(scope)s."
                )
                % {"unit": unit.name, "code": unit.code, "scope": scope.name},
            )
        )
    elif not unit.is_current:
        errors.append(
            RowError(
                row.row,
                "code",
                _("%(unit)s (mã %(code)s) đã giải thể, không nhập dân số được.")
                % {"unit": unit.name, "code": unit.code},
            )
        )
    for field, value, limit in (
        ("population", row.population, POPULATION_MAX),
        ("households", row.households, HOUSEHOLDS_MAX),
    ):
        if value is not None and value < 0:
            errors.append(RowError(row.row, field, _("Không được là số âm.")))
        elif value is not None and value > limit:
            errors.append(
                RowError(
                    row.row, field, _("Không được lớn hơn %(limit)s.") % {"limit": f"{limit:,}"}
                )
            )
    if row.year is not None and not FIRST_YEAR <= row.year <= this_year:
        errors.append(
            RowError(
                row.row,
                "year",
                _("Năm phải từ %(first)s đến %(last)s.") % {"first": FIRST_YEAR, "last": this_year},
            )
        )
    population = row.population if row.population is not None else unit.population
    households = row.households if row.households is not None else unit.households
    if (
        population is not None
        and households is not None
        and households > population
        and (row.population is None or row.population >= 0)
        and (row.households is None or row.households >= 0)
    ):
        errors.append(
            RowError(
                row.row,
                "households",
                _("Số hộ (%(households)s) lớn hơn dân số (%(population)s).")
                % {"households": households, "population": population},
            )
        )
    return errors


def population_rows_validate(*, scope: OrgUnit, rows: Sequence[PopulationRow]) -> list[RowError]:
    """Return every problem of ``rows`` (nothing is saved); see the module invariants."""
    units = _units_by_code([r.code for r in rows])
    this_year = timezone.localdate().year
    first_row: dict[str, int] = {}
    errors: list[RowError] = []
    for row in rows:
        if row.code in first_row:
            errors.append(
                RowError(
                    row.row,
                    "code",
                    _("Mã “%(code)s” đã có ở dòng %(first)s.")
                    % {"code": row.code, "first": first_row[row.code]},
                )
            )
            continue
        first_row[row.code] = row.row
        errors.extend(_row_errors(row, units.get(row.code), scope, this_year))
    return errors


@transaction.atomic
def orgunit_population_bulk_set(
    *, actor: Actor, scope: OrgUnit, rows: Sequence[PopulationRow], source: str = ""
) -> int:
    """Set the population, households and year of every row's unit, all or none; return the
    number of units changed. Raise ``BulkValidationError`` with every row's problems."""
    population_scope_check(actor=actor, scope=scope)
    errors = population_rows_validate(scope=scope, rows=rows)
    if errors:
        raise BulkValidationError(errors)
    units = _units_by_code([r.code for r in rows])
    this_year = timezone.localdate().year
    changed: list[OrgUnit] = []
    years: set[int] = set()
    now = timezone.now()
    for row in rows:
        unit = units[row.code]
        year = row.year or this_year
        new = {
            "population": row.population if row.population is not None else unit.population,
            "households": row.households if row.households is not None else unit.households,
            "population_year": year,
        }
        if row.population is None and row.households is None:
            continue  # nothing given: the year alone does not change the unit
        years.add(year)
        if any(getattr(unit, k) != v for k, v in new.items()):
            for key, value in new.items():
                setattr(unit, key, value)
            unit.updated_at = now
            changed.append(unit)
    OrgUnit.objects.bulk_update(
        changed, ["population", "households", "population_year", "updated_at"], batch_size=500
    )
    audit_event_record(
        actor=actor,
        action="orgunit.population_import",
        obj=scope,
        orgunit=scope,
        after={
            "rows": len(rows),
            "changed": len(changed),
            "years": sorted(years),
            "source": source[:200],
        },
    )
    return len(changed)
