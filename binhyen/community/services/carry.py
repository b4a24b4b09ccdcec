"""Moving running schemes from units closed by the 2025 reform onto their successors.

Invariants:
- ``scheme_carry_forward`` re-points a scheme's closed units to their default successors
  (``orgunits.history.successor_map(default_only=True)``): several old communes merged into
  one become one unit. One transaction, one ``AuditEvent`` (``scheme.carry_forward``).
- The old units stay on the record: one ``SchemeUnitHistory`` row per closed unit says the
  scheme covered it up to its last day (``until``) and which successor took it over. The
  scheme's own dates never change; figures of periods before the reform must read the old
  units from those rows (only periods from the reform on are recomputed here).
- Refused, with a specific message, for a scheme on current units only, a scheme that had
  stopped before its old units closed, and a closed unit whose records go nowhere.
- The actor must be able to record on every closed unit (history of their scope) and manage
  every successor; otherwise ``PermissionDenied``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from binhyen.accounts import permissions as perms
from binhyen.community import permissions as community_perms
from binhyen.community import providers, selectors
from binhyen.community.models import Scheme, SchemeStatus, SchemeUnitHistory, SecurityTeam
from binhyen.community.services.checks import _today
from binhyen.community.services.metrics import _resync
from binhyen.community.services.schemes import _scheme_snapshot
from binhyen.community.services.teams import _team_snapshot
from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record
from binhyen.orgunits import carry
from binhyen.orgunits.carry import Move
from binhyen.orgunits.history import can_record
from binhyen.orgunits.models import OrgUnit, UnitKind


@dataclass(frozen=True)
class CarryPlan:
    """What a move would do: each closed unit and the current unit it goes to."""

    moves: list[Move]
    units_after: list[OrgUnit]


def _what(scheme: Scheme) -> str:
    return _("Mô hình “%(name)s”") % {"name": scheme.name}


def scheme_carry_plan(*, scheme: Scheme) -> CarryPlan:
    """Return the moves ``scheme_carry_forward`` would make (raises ``ValidationError``)."""
    units = list(scheme.units.select_related("parent").order_by("path"))
    moves = carry.plan_carry(
        units,
        what=_what(scheme),
        field="units",
        state=scheme.get_status_display().lower(),
        since=scheme.status_since if scheme.status != SchemeStatus.ACTIVE else None,
        since_field="status",
    )
    after: dict[int, OrgUnit] = {u.pk: u for u in units if u.valid_to is None}
    for _old, new in moves:
        after.setdefault(new.pk, new)
    return CarryPlan(moves=moves, units_after=sorted(after.values(), key=lambda u: u.path))


def carry_may_try(actor: Actor, scheme: Scheme) -> bool:
    """Return True if ``actor`` may record on some unit the scheme covers (old or current):
    the only users told why a scheme cannot be moved; everyone else gets a 404."""
    return any(
        can_record(actor, perms.MANAGE_COMMUNITY, community_perms.commune_of(u) or u)
        for u in scheme.units.select_related("parent")
    )


def _sides(actor: Actor) -> dict[str, Any]:
    return {
        "may_old": lambda old: can_record(
            actor, perms.MANAGE_COMMUNITY, community_perms.commune_of(old) or old
        ),
        "may_new": lambda new: community_perms.can_manage(actor, new),
    }


def carry_allowed(actor: Actor, plan: CarryPlan) -> bool:
    """Return True if ``actor`` may record on every closed unit and every successor."""
    return carry.both_sides_allowed(plan.moves, **_sides(actor))


@transaction.atomic
def scheme_carry_forward(*, actor: Actor, obj: Scheme) -> Scheme:
    """Move a running scheme from its closed units onto their successors, history kept."""
    scheme = Scheme.objects.select_for_update(of=("self",)).get(pk=obj.pk)
    if not carry_may_try(actor, scheme):
        raise PermissionDenied(_("Bạn không có quyền chuyển mô hình này."))
    plan = scheme_carry_plan(scheme=scheme)
    carry.require_both_sides(plan.moves, **_sides(actor))
    before = _scheme_snapshot(scheme)
    today = _today()
    SchemeUnitHistory.objects.bulk_create(
        [
            SchemeUnitHistory(
                scheme=scheme,
                orgunit=old,
                until=old.valid_to or today,
                successor=new,
                carried_on=today,
            )
            for old, new in plan.moves
        ]
    )
    scheme.units.set(plan.units_after)
    home = community_perms.commune_of(plan.units_after[0]) or plan.units_after[0]
    audit_event_record(
        actor=actor,
        action="scheme.carry_forward",
        obj=scheme,
        orgunit=home,
        before=before,
        after={
            **_scheme_snapshot(scheme),
            "carried": carry.moves_audit(plan.moves),
        },
    )
    _resync(actor=actor, codes=providers.SCHEME_METRICS, start=carry.first_day_after(plan.moves))
    return scheme


# --- security teams ------------------------------------------------------------------------


def _team_what(team: SecurityTeam) -> str:
    return _("Tổ bảo vệ ANTT “%(name)s”") % {"name": team.name}


def team_carry_plan(*, team: SecurityTeam) -> list[Move]:
    """Return the move ``team_carry_forward`` would make (raises ``ValidationError``).

    A team on an open village needs none: a village is one row across the reform and its
    team counts at the commune the village belonged to on each day (``commune_on``).
    """
    moves = carry.plan_carry(
        [team.village],
        what=_team_what(team),
        field="village",
        kind=UnitKind.VILLAGE,
        state=_("giải thể"),
        since=team.dissolved_on,
        since_field="dissolved_on",
    )
    new = moves[0][1]
    if team.dissolved_on is None:
        other = (
            SecurityTeam.objects.filter(village=new, dissolved_on__isnull=True)
            .exclude(pk=team.pk)
            .first()
        )
        if other is not None:
            raise ValidationError(
                {
                    "village": _(
                        "“%(village)s” đã có Tổ bảo vệ ANTT đang hoạt động (“%(team)s”): mỗi "
                        "thôn, tổ dân phố chỉ có một tổ."
                    )
                    % {"village": new.name, "team": other.name}
                }
            )
    return moves


def team_carry_may_try(actor: Actor, team: SecurityTeam) -> bool:
    """Return True if ``actor`` may record on the team's village (else: a 404)."""
    return community_perms.can_manage(actor, team.village)


def _team_sides(actor: Actor) -> dict[str, Any]:
    return {
        "may_old": lambda old: community_perms.can_manage(actor, old),
        "may_new": lambda new: community_perms.can_manage(actor, new),
    }


def team_carry_allowed(actor: Actor, moves: list[Move]) -> bool:
    """Return True if ``actor`` may record on the old village and its successor."""
    return carry.both_sides_allowed(moves, **_team_sides(actor))


@transaction.atomic
def team_carry_forward(*, actor: Actor, obj: SecurityTeam) -> SecurityTeam:
    """Move a team from its closed village onto the successor village, the old one kept."""
    team = (
        SecurityTeam.objects.select_for_update(of=("self",))
        .select_related("village", "village__parent")
        .get(pk=obj.pk)
    )
    if not team_carry_may_try(actor, team):
        raise PermissionDenied(_("Bạn không có quyền chuyển tổ này."))
    moves = team_carry_plan(team=team)
    carry.require_both_sides(moves, **_team_sides(actor))
    before = _team_snapshot(team)
    old, new = moves[0]
    team.former_village = old
    team.village = new
    team.carried_on = _today()
    team.save(update_fields=["former_village", "village", "carried_on", "updated_at"])
    audit_event_record(
        actor=actor,
        action="team.carry_forward",
        obj=team,
        orgunit=new,
        before=before,
        after={**_team_snapshot(team), "carried": carry.moves_audit(moves)},
    )
    _resync(
        actor=actor,
        codes=(*providers.TEAM_METRICS, *providers.GRADE_METRICS),
        start=carry.first_day_after(moves),
    )
    return team


@dataclass(frozen=True)
class BulkResult:
    moved: list[Scheme]
    skipped: list[tuple[Scheme, str]]


def schemes_carry_forward_all(*, actor: Actor, unit: OrgUnit) -> BulkResult:
    """Move every running scheme recorded on the closed ``unit`` (or below it) onto the
    successors; each scheme in its own transaction, the refused ones named with the reason."""
    if unit.valid_to is None:
        raise ValidationError(
            {
                "unit": _("%(unit)s là đơn vị hiện hành, không có gì để chuyển.")
                % {"unit": unit.name}
            }
        )
    candidates = list(
        selectors.schemes_visible(actor)
        .filter(
            units__path__startswith=unit.path,
            status=SchemeStatus.ACTIVE,
        )
        .distinct()
        .order_by("name_folded", "id")
    )
    moved: list[Scheme] = []
    skipped: list[tuple[Scheme, str]] = []
    for scheme in candidates:
        try:
            moved.append(scheme_carry_forward(actor=actor, obj=scheme))
        except ValidationError as exc:
            skipped.append((scheme, "; ".join(_messages(exc))))
        except PermissionDenied as exc:
            skipped.append((scheme, str(exc)))
    return BulkResult(moved=moved, skipped=skipped)


def _messages(exc: ValidationError) -> list[str]:
    out: list[Any] = []
    if hasattr(exc, "message_dict"):
        for values in exc.message_dict.values():
            out.extend(values)
    else:
        out.extend(exc.messages)
    return [str(m) for m in out]
