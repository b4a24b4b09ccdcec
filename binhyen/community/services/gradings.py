"""Yearly gradings of teams and members, and the grading rules behind them.

Invariants:
- A commune's grading sheet is saved as a whole, in one transaction, with one
  ``AuditEvent``; rows are keyed ``t<team id>_level`` / ``m<member id>_level`` in the
  ``ValidationError``, and no row is written unless every row passes.
- Quotas (the share of "excellent" among "good" and above, the leader not above the team)
  come from the effective rules of the commune; rules are set per province or nationally.
- Only the commune's managers grade; only a province's (or national) managers set rules.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from binhyen.community import permissions as community_perms
from binhyen.community import providers, selectors
from binhyen.community.models import (
    GRADE_RANK,
    GradingRules,
    MemberGrading,
    SecurityTeam,
    TaskGrade,
    TeamGrading,
    TeamMember,
    TeamRole,
)
from binhyen.community.services.checks import _clean_model, _count, _fmt, _raise, _text
from binhyen.community.services.metrics import _resync
from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.orgunits.models import OrgUnit, UnitKind

RULE_FIELDS = [
    "team_size_min",
    "team_size_max",
    "min_activity_months",
    "excellent_max_pct_of_good",
    "excellent_min_task_pct",
    "leader_not_above_team",
    "basis",
]

# --- gradings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeInput:
    """One row of the grading sheet: ``level`` empty removes the grade."""

    level: str = ""
    task_pct: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class GradingResult:
    saved: int
    removed: int


def _grade_label(level: str) -> str:
    return str(TaskGrade(level).label)


def _check_row(
    *,
    key: str,
    label: str,
    grade: GradeInput,
    start: date,
    end: date | None,
    period: Any,
    rules: selectors.EffectiveRules,
    errors: dict[str, Any],
) -> None:
    if grade.level not in TaskGrade.values:
        errors[f"{key}_level"] = _("%(name)s: mức xếp loại không hợp lệ.") % {"name": label}
        return
    if grade.task_pct is not None and not (Decimal(0) <= grade.task_pct <= Decimal(100)):
        errors[f"{key}_task_pct"] = _(
            "%(name)s: tỷ lệ nhiệm vụ hoàn thành phải từ 0 đến 100 (đã nhập %(value)s)."
        ) % {"name": label, "value": grade.task_pct}
        return
    months = selectors.months_active(start, end, period)
    if selectors.active_span(start, end, period) is None:
        errors[f"{key}_level"] = _(
            "%(name)s không hoạt động trong năm đánh giá %(year)s (%(start)s – %(end)s)."
        ) % {
            "name": label,
            "year": period.year,
            "start": _fmt(period.start),
            "end": _fmt(period.end),
        }
        return
    if months < rules.min_activity_months:
        errors[f"{key}_level"] = _(
            "Quy tắc “hoạt động tối thiểu %(months)s tháng mới được xếp loại” (%(source)s):"
            " %(name)s mới hoạt động %(active)s tháng trong năm đánh giá %(year)s."
        ) % {
            "months": rules.min_activity_months,
            "source": rules.source,
            "name": label,
            "active": months,
            "year": period.year,
        }
        return
    if grade.level == TaskGrade.EXCELLENT:
        threshold = rules.excellent_min_task_pct
        if grade.task_pct is None:
            errors[f"{key}_task_pct"] = _(
                "Quy tắc “xuất sắc phải hoàn thành trên %(pct)s%% nhiệm vụ” (%(source)s): nhập tỷ"
                " lệ nhiệm vụ hoàn thành của %(name)s."
            ) % {"pct": threshold, "source": rules.source, "name": label}
        elif grade.task_pct <= threshold:
            errors[f"{key}_task_pct"] = _(
                "Quy tắc “xuất sắc phải hoàn thành trên %(pct)s%% nhiệm vụ” (%(source)s):"
                " %(name)s mới hoàn thành %(done)s%%."
            ) % {"pct": threshold, "source": rules.source, "name": label, "done": grade.task_pct}


def _quota(levels: Mapping[int, str], what: str, rules: selectors.EffectiveRules) -> str | None:
    excellent = sum(1 for v in levels.values() if v == TaskGrade.EXCELLENT)
    good = sum(1 for v in levels.values() if v == TaskGrade.GOOD)
    pct = rules.excellent_max_pct_of_good
    if excellent * 100 <= pct * good:
        return None
    return _(
        "Quy tắc “số xuất sắc không quá %(pct)s%% số được xếp loại tốt” (%(source)s): %(what)s"
        " có %(excellent)s xuất sắc nhưng %(good)s tốt, nên chỉ được tối đa %(allowed)s xuất"
        " sắc."
    ) % {
        "pct": pct,
        "source": rules.source,
        "what": what,
        "excellent": excellent,
        "good": good,
        "allowed": math.floor(good * pct / 100),
    }


@transaction.atomic
def team_gradings_save(
    *,
    actor: Actor,
    commune: OrgUnit,
    year: int,
    teams: Mapping[int, GradeInput],
    members: Mapping[int, GradeInput],
) -> GradingResult:
    """Save the commune's annual grading of teams and members for team year ``year``.

    The whole sheet is checked against the province's rules after applying the changes
    (activity months, task share for "xuất sắc", the "xuất sắc" quota against "tốt", and
    leader ≤ team); any violation refuses everything.
    """
    if not community_perms.can_grade(actor, commune):
        raise PermissionDenied(_("Bạn không có quyền xếp loại Tổ bảo vệ ANTT của đơn vị này."))
    current = selectors.current_team_year()
    if not 2000 <= year <= current:
        raise ValidationError(
            {"year": _("Năm đánh giá phải từ 2000 đến %(year)s.") % {"year": current}}
        )
    period = selectors.team_period(year)
    rules = selectors.rules_for(commune)
    errors: dict[str, Any] = {}
    team_objs = {
        t.pk: t
        for t in SecurityTeam.objects.select_for_update(of=("self",))
        .filter(pk__in=list(teams), village__parent=commune)
        .select_related("village")
    }
    member_objs = {
        m.pk: m
        for m in TeamMember.objects.filter(
            pk__in=list(members), team__village__parent=commune
        ).select_related("team")
    }
    foreign = [str(pk) for pk in teams if pk not in team_objs] + [
        str(pk) for pk in members if pk not in member_objs
    ]
    if foreign:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _("Có tổ hoặc thành viên không thuộc %(commune)s: %(ids)s.")
                % {"commune": commune.name, "ids": ", ".join(foreign)}
            }
        )
    for pk, grade in teams.items():
        if grade.level:
            team = team_objs[pk]
            _check_row(
                key=f"t{pk}",
                label=team.name,
                grade=grade,
                start=team.established_on,
                end=team.dissolved_on,
                period=period,
                rules=rules,
                errors=errors,
            )
    for pk, grade in members.items():
        if grade.level:
            member = member_objs[pk]
            _check_row(
                key=f"m{pk}",
                label=member.full_name,
                grade=grade,
                start=member.joined_on,
                end=member.left_on,
                period=period,
                rules=rules,
                errors=errors,
            )
    team_levels = dict(
        TeamGrading.objects.filter(team__village__parent=commune, year=year).values_list(
            "team_id", "level"
        )
    )
    member_levels = dict(
        MemberGrading.objects.filter(member__team__village__parent=commune, year=year).values_list(
            "member_id", "level"
        )
    )
    for pk, grade in teams.items():
        if grade.level:
            team_levels[pk] = grade.level
        else:
            team_levels.pop(pk, None)
    for pk, grade in members.items():
        if grade.level:
            member_levels[pk] = grade.level
        else:
            member_levels.pop(pk, None)
    problems = [
        p
        for p in (
            _quota(team_levels, _("các tổ của %(c)s") % {"c": commune.name}, rules),
            _quota(member_levels, _("các thành viên của %(c)s") % {"c": commune.name}, rules),
        )
        if p
    ]
    if rules.leader_not_above_team:
        leaders = TeamMember.objects.filter(
            team__village__parent=commune,
            role=TeamRole.LEADER,
            pk__in=list(member_levels),
        ).select_related("team")
        for leader in leaders:
            team_level = team_levels.get(leader.team_id)
            leader_level = member_levels[leader.pk]
            key = f"m{leader.pk}_level"
            if team_level is None:
                errors.setdefault(
                    key,
                    _(
                        "Quy tắc “xếp loại tổ trưởng không cao hơn xếp loại của tổ” (%(source)s):"
                        " xếp loại “%(team)s” trước khi xếp loại tổ trưởng %(name)s."
                    )
                    % {"source": rules.source, "team": leader.team.name, "name": leader.full_name},
                )
            elif GRADE_RANK[leader_level] > GRADE_RANK[team_level]:
                errors.setdefault(
                    key,
                    _(
                        "Quy tắc “xếp loại tổ trưởng không cao hơn xếp loại của tổ” (%(source)s):"
                        " tổ trưởng %(name)s được xếp “%(leader)s” nhưng “%(team)s” chỉ được xếp"
                        " “%(level)s”."
                    )
                    % {
                        "source": rules.source,
                        "name": leader.full_name,
                        "leader": _grade_label(leader_level),
                        "team": leader.team.name,
                        "level": _grade_label(team_level),
                    },
                )
    if problems:
        errors[NON_FIELD_ERRORS] = problems
    _raise(errors)
    done = GradingResult(saved=0, removed=0)
    for pk, grade in teams.items():
        done = _store(TeamGrading, {"team": team_objs[pk], "year": year}, grade, done)
    for pk, grade in members.items():
        done = _store(MemberGrading, {"member": member_objs[pk], "year": year}, grade, done)
    saved, removed = done.saved, done.removed
    audit_event_record(
        actor=actor,
        action="team.grading",
        obj=commune,
        orgunit=commune,
        after={
            "year": year,
            "teams": {team_objs[pk].name: g.level for pk, g in teams.items()},
            "members": len(members),
            "saved": saved,
            "removed": removed,
        },
    )
    _resync(actor=actor, codes=providers.GRADE_METRICS, start=period.start, end=period.end)
    return GradingResult(saved=saved, removed=removed)


def _store(
    model: Any, key: dict[str, Any], grade: GradeInput, done: GradingResult
) -> GradingResult:
    """Write one row's grade (or remove it when cleared); return the counts so far."""
    existing = model.objects.filter(**key).first()
    if not grade.level:
        if existing is not None:
            existing.delete()
            return GradingResult(saved=done.saved, removed=done.removed + 1)
        return done
    row = existing or model(**key)
    if (
        existing is not None
        and existing.level == grade.level
        and existing.task_pct == grade.task_pct
        and existing.note == (grade.note or "").strip()
    ):
        return done
    row.level, row.task_pct, row.note = grade.level, grade.task_pct, (grade.note or "").strip()
    row.full_clean()
    row.save()
    return GradingResult(saved=done.saved + 1, removed=done.removed)


@transaction.atomic
def grading_rules_save(
    *,
    actor: Actor,
    province: OrgUnit,
    team_size_min: int,
    team_size_max: int,
    min_activity_months: int,
    excellent_max_pct_of_good: int,
    excellent_min_task_pct: Decimal,
    leader_not_above_team: bool,
    basis: str = "",
) -> GradingRules:
    """Set a province's own values of the configurable numbers."""
    if province.kind != UnitKind.PROVINCE or not community_perms.can_manage_catalogue(
        actor, province
    ):
        raise PermissionDenied(_("Bạn không có quyền sửa quy định của tỉnh này."))
    row = GradingRules.objects.select_for_update(of=("self",)).filter(province=province).first()
    before = model_snapshot(row, RULE_FIELDS) if row else None
    row = row or GradingRules(province=province)
    errors: dict[str, Any] = {}
    try:
        pct = Decimal(str(excellent_min_task_pct))
    except InvalidOperation:
        errors["excellent_min_task_pct"] = _("Tỷ lệ phải là một số từ 0 đến 100.")
        pct = Decimal(0)
    for name, value in (
        ("team_size_min", team_size_min),
        ("team_size_max", team_size_max),
        ("min_activity_months", min_activity_months),
        ("excellent_max_pct_of_good", excellent_max_pct_of_good),
    ):
        label = getattr(GradingRules._meta.get_field(name), "verbose_name", name)
        _count(value, name, str(label), errors)
    if team_size_min is not None and team_size_max is not None and team_size_min > team_size_max:
        errors["team_size_max"] = _("Số thành viên tối đa phải không nhỏ hơn số tối thiểu.")
    row.team_size_min, row.team_size_max = team_size_min, team_size_max
    row.min_activity_months = min_activity_months
    row.excellent_max_pct_of_good = excellent_max_pct_of_good
    row.excellent_min_task_pct = pct
    row.leader_not_above_team = leader_not_above_team
    row.basis = _text(basis, 255, "basis", _("Căn cứ"), errors)
    _clean_model(row, errors)
    _raise(errors)
    row.save()
    audit_event_record(
        actor=actor,
        action="community.rules",
        obj=row,
        orgunit=province,
        before=before,
        after=model_snapshot(row, RULE_FIELDS),
    )
    return row
