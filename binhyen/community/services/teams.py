"""Security teams (tổ bảo vệ an ninh, trật tự), their members and training.

Invariants:
- A team belongs to one village (or establishment) under a commune; only the commune's
  managers (or above) change it, otherwise ``PermissionDenied``.
- Membership spans are half-open: a member who left on D is no longer a member on D, so a
  transfer on D between two teams is not an overlap; a person holds one active membership.
- Team sizes follow the effective rules (``selectors.rules_for``); a change resyncs the
  published team and member counts in the same transaction.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from binhyen.community import providers, selectors
from binhyen.community.models import (
    CommunityDecisionKind,
    MemberOrigin,
    SecurityTeam,
    TeamMember,
    TeamRole,
    TrainingRecord,
)
from binhyen.community.services.checks import (
    NAME_MAX,
    PERSON_NAME_MAX,
    _clean_model,
    _count,
    _fmt,
    _not_future,
    _raise,
    _record_date,
    _require_manage,
    _text,
)
from binhyen.community.services.decisions import (
    AttachedDecision,
    DecisionInput,
    _decision_summary,
    _save_with_decisions,
)
from binhyen.community.services.metrics import _resync
from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.core.text import fold
from binhyen.orgunits.models import OrgUnit, UnitKind

MEMBER_FIELDS = ["team", "role", "origin", "joined_on", "left_on"]

TEAM_FIELDS = ["village", "name", "established_on", "dissolved_on", "note"]

# --- security teams --------------------------------------------------------------------------


def _team_snapshot(team: SecurityTeam) -> dict[str, Any]:
    data = model_snapshot(team, TEAM_FIELDS)
    data["establishment_decision"] = _decision_summary(team.establishment_decision)
    data["recognition_decision"] = _decision_summary(team.recognition_decision)
    return data


@transaction.atomic
def team_create(
    *,
    actor: Actor,
    village: OrgUnit,
    established_on: date,
    name: str = "",
    note: str = "",
    establishment_decision: DecisionInput | None = None,
    recognition_decision: DecisionInput | None = None,
) -> SecurityTeam:
    """Set up the security team of a village (one active team per village)."""
    _require_manage(actor, village)
    errors: dict[str, Any] = {}
    if village.kind != UnitKind.VILLAGE:
        errors["village"] = _("Tổ bảo vệ ANTT chỉ thành lập ở thôn, tổ dân phố.")
    elif village.valid_to is not None and established_on is not None:
        _record_date(errors, village, established_on, "established_on")
    if village.kind == UnitKind.VILLAGE and "established_on" not in errors:
        existing = SecurityTeam.objects.filter(village=village, dissolved_on__isnull=True).first()
        if existing is not None:
            errors["village"] = _(
                "“%(village)s” đã có Tổ bảo vệ ANTT đang hoạt động (“%(team)s”): mỗi thôn, tổ"
                " dân phố chỉ có một tổ."
            ) % {"village": village.name, "team": existing.name}
    if established_on is None:
        errors["established_on"] = _("Nhập ngày thành lập.")
    else:
        _not_future(errors, "established_on", established_on, _("Ngày thành lập"))
    clean_name = (
        _text(name, NAME_MAX, "name", _("Tên tổ"), errors)
        or (_("Tổ bảo vệ ANTT %(village)s") % {"village": village.name})[:NAME_MAX]
    )
    team = SecurityTeam(
        village=village,
        name=clean_name,
        name_folded=fold(clean_name),
        established_on=established_on,
        note=(note or "").strip(),
    )
    _save_with_decisions(
        team,
        decisions=[
            AttachedDecision(
                "establishment_decision",
                CommunityDecisionKind.ESTABLISHMENT,
                establishment_decision,
            ),
            AttachedDecision(
                "recognition_decision", CommunityDecisionKind.RECOGNITION, recognition_decision
            ),
        ],
        orgunit=lambda: village.parent or village,
        errors=errors,
        check_model="village" not in errors,
    )
    audit_event_record(
        actor=actor, action="team.create", obj=team, orgunit=village, after=_team_snapshot(team)
    )
    _resync(actor=actor, codes=(*providers.TEAM_METRICS, providers.VILLAGES), start=established_on)
    return team


@transaction.atomic
def team_update(
    *,
    actor: Actor,
    team: SecurityTeam,
    name: str,
    established_on: date,
    note: str = "",
    establishment_decision: DecisionInput | None = None,
    recognition_decision: DecisionInput | None = None,
) -> SecurityTeam:
    """Change a team's name, founding date, note and decisions."""
    team = (
        SecurityTeam.objects.select_for_update(of=("self",))
        .select_related(
            "village", "village__parent", "establishment_decision", "recognition_decision"
        )
        .get(pk=team.pk)
    )
    _require_manage(actor, team.village)
    before = _team_snapshot(team)
    errors: dict[str, Any] = {}
    clean_name = _text(name, NAME_MAX, "name", _("Tên tổ"), errors)
    if not clean_name:
        errors["name"] = _("Nhập tên tổ.")
    if established_on is None:
        errors["established_on"] = _("Nhập ngày thành lập.")
    else:
        _not_future(errors, "established_on", established_on, _("Ngày thành lập"))
        first_join = team.members.order_by("joined_on").values_list("joined_on", flat=True).first()
        if first_join is not None and first_join < established_on:
            errors["established_on"] = _(
                "Có thành viên tham gia từ %(date)s, trước ngày thành lập này."
            ) % {"date": _fmt(first_join)}
        if team.dissolved_on is not None and team.dissolved_on < established_on:
            errors["established_on"] = _("Ngày thành lập không được sau ngày giải thể.")
    old_established = team.established_on
    team.name, team.name_folded = clean_name, fold(clean_name)
    team.established_on = established_on
    team.note = (note or "").strip()
    _save_with_decisions(
        team,
        decisions=[
            AttachedDecision(
                "establishment_decision",
                CommunityDecisionKind.ESTABLISHMENT,
                establishment_decision,
            ),
            AttachedDecision(
                "recognition_decision", CommunityDecisionKind.RECOGNITION, recognition_decision
            ),
        ],
        orgunit=lambda: team.village.parent or team.village,
        errors=errors,
    )
    audit_event_record(
        actor=actor,
        action="team.update",
        obj=team,
        orgunit=team.village,
        before=before,
        after=_team_snapshot(team),
    )
    if established_on and old_established != established_on:
        _resync(
            actor=actor,
            codes=(*providers.TEAM_METRICS, providers.VILLAGES),
            start=min(old_established, established_on),
        )
    return team


@transaction.atomic
def team_dissolve(*, actor: Actor, team: SecurityTeam, dissolved_on: date) -> SecurityTeam:
    """Dissolve a team from ``dissolved_on``; its active members leave on that day."""
    team = (
        SecurityTeam.objects.select_for_update(of=("self",))
        .select_related("village")
        .get(pk=team.pk)
    )
    _require_manage(actor, team.village)
    errors: dict[str, Any] = {}
    if team.dissolved_on is not None:
        errors["dissolved_on"] = _("Tổ đã giải thể từ %(date)s.") % {
            "date": _fmt(team.dissolved_on)
        }
    elif dissolved_on is None:
        errors["dissolved_on"] = _("Nhập ngày giải thể.")
    else:
        if dissolved_on < team.established_on:
            errors["dissolved_on"] = _(
                "Ngày giải thể không được trước ngày thành lập (%(date)s)."
            ) % {"date": _fmt(team.established_on)}
        _not_future(errors, "dissolved_on", dissolved_on, _("Ngày giải thể"))
        late = team.members.filter(left_on__isnull=True, joined_on__gt=dissolved_on).first()
        if late is not None:
            errors["dissolved_on"] = _(
                "%(name)s tham gia tổ từ %(date)s, sau ngày giải thể này."
            ) % {"name": late.full_name, "date": _fmt(late.joined_on)}
    _raise(errors)
    leaving = list(team.members.filter(left_on__isnull=True).values_list("pk", flat=True))
    TeamMember.objects.filter(pk__in=leaving).update(left_on=dissolved_on)
    team.dissolved_on = dissolved_on
    team.full_clean(exclude=["establishment_decision", "recognition_decision"])
    team.save(update_fields=["dissolved_on", "updated_at"])
    audit_event_record(
        actor=actor,
        action="team.dissolve",
        obj=team,
        orgunit=team.village,
        after={"dissolved_on": dissolved_on, "members_left": len(leaving)},
    )
    _resync(actor=actor, codes=(*providers.TEAM_METRICS, providers.VILLAGES), start=dissolved_on)
    return team


def _overlaps(start: date, end: date | None) -> Q:
    """Memberships ``[joined_on, left_on)`` overlapping ``[start, end)``."""
    condition = Q(left_on__isnull=True) | Q(left_on__gt=start)
    if end is not None:
        condition &= Q(joined_on__lt=end)
    return condition


def _check_member(
    *,
    actor: Actor,
    team: SecurityTeam,
    member: TeamMember,
    rules: selectors.EffectiveRules,
    errors: dict[str, Any],
) -> None:
    """Check a member's own fields, identity, role and the team's size (no writes)."""
    if not member.full_name:
        errors["full_name"] = _("Nhập họ và tên.")
    if member.role not in TeamRole.values:
        errors["role"] = _("Chọn chức danh: tổ trưởng, tổ phó hoặc tổ viên.")
    if member.origin not in MemberOrigin.values:
        errors["origin"] = _("Chọn nguồn của thành viên.")
    joined, left = member.joined_on, member.left_on
    if joined is None:
        errors["joined_on"] = _("Nhập ngày tham gia.")
        return
    _not_future(errors, "joined_on", joined, _("Ngày tham gia"))
    if joined < team.established_on:
        errors["joined_on"] = _(
            "Ngày tham gia (%(date)s) không được trước ngày thành lập tổ (%(founded)s)."
        ) % {"date": _fmt(joined), "founded": _fmt(team.established_on)}
    if team.dissolved_on is not None and (left is None or left > team.dissolved_on):
        errors["left_on"] = _("Tổ đã giải thể từ %(date)s: ghi ngày thôi tham gia.") % {
            "date": _fmt(team.dissolved_on)
        }
    if left is not None:
        if left < joined:
            errors["left_on"] = _("Ngày thôi tham gia không được trước ngày tham gia.")
        _not_future(errors, "left_on", left, _("Ngày thôi tham gia"))
    if member.birth_date is None:
        errors["birth_date"] = _("Nhập ngày sinh (để phân biệt người trùng tên).")
    else:
        min_age = int(selectors.setting("MEMBER_MIN_AGE", 18))
        if selectors.add_months(member.birth_date, 12 * min_age) > joined:
            errors["birth_date"] = _(
                "Thành viên phải đủ %(age)s tuổi khi tham gia (sinh ngày %(date)s)."
            ) % {"age": min_age, "date": _fmt(member.birth_date)}
    if errors.keys() & {"joined_on", "left_on", "birth_date", "full_name"}:
        return
    same_person = (
        TeamMember.objects.filter(name_folded=member.name_folded, birth_date=member.birth_date)
        .filter(_overlaps(joined, left))
        .select_related("team", "team__village", "team__village__parent")
    )
    if member.pk is not None:
        same_person = same_person.exclude(pk=member.pk)
    other = same_person.first()
    if other is not None:
        if selectors.units_visible(user=actor, units=[other.team.village]):
            where = _("“%(team)s” (%(village)s, %(commune)s)") % {
                "team": other.team.name,
                "village": other.team.village.name,
                "commune": other.team.village.parent.name if other.team.village.parent else "",
            }
        else:
            where = _("một Tổ bảo vệ ANTT ngoài phạm vi của bạn")
        errors["full_name"] = _(
            "%(name)s (sinh ngày %(birth)s) đang là thành viên của %(where)s từ %(since)s: một"
            " người không được tham gia hai tổ cùng lúc. Hãy ghi ngày thôi tham gia ở tổ kia"
            " trước."
        ) % {
            "name": member.full_name,
            "birth": _fmt(member.birth_date),
            "where": where,
            "since": _fmt(other.joined_on),
        }
    if member.role == TeamRole.LEADER:
        leader = (
            team.members.filter(role=TeamRole.LEADER)
            .filter(_overlaps(joined, left))
            .exclude(pk=member.pk)
            .first()
        )
        if leader is not None:
            errors["role"] = _(
                "Tổ đã có tổ trưởng %(name)s trong thời gian này: ghi ngày thôi tham gia hoặc đổi"
                " chức danh của người đó trước."
            ) % {"name": leader.full_name}
    if left is None:
        others = team.members.filter(left_on__isnull=True).exclude(pk=member.pk).count()
        if others + 1 > rules.team_size_max:
            errors["team"] = _(
                "Quy định số thành viên tối đa (%(source)s): mỗi tổ có tối đa %(max)s thành viên;"
                " tổ đã có %(count)s thành viên đang hoạt động."
            ) % {"source": rules.source, "max": rules.team_size_max, "count": others}


def _member_save(
    actor: Actor,
    team: SecurityTeam,
    member: TeamMember,
    recognition_decision: DecisionInput | None,
    errors: dict[str, Any],
) -> None:
    """Check a member against the province's rules, then save it with its decision."""
    rules = selectors.rules_for(team.village)
    _check_member(actor=actor, team=team, member=member, rules=rules, errors=errors)
    _save_with_decisions(
        member,
        decisions=[
            AttachedDecision(
                "recognition_decision", CommunityDecisionKind.RECOGNITION, recognition_decision
            )
        ],
        orgunit=lambda: team.village.parent or team.village,
        errors=errors,
    )


@transaction.atomic
def team_member_add(
    *,
    actor: Actor,
    team: SecurityTeam,
    full_name: str,
    birth_date: date,
    role: str,
    origin: str,
    joined_on: date,
    recognition_decision: DecisionInput | None = None,
) -> TeamMember:
    """Add a member to an active team (name, date of birth, role, origin, joining date)."""
    team = (
        SecurityTeam.objects.select_for_update(of=("self",))
        .select_related("village", "village__parent")
        .get(pk=team.pk)
    )
    _require_manage(actor, team.village)
    errors: dict[str, Any] = {}
    if team.dissolved_on is not None:
        errors["team"] = _("Tổ đã giải thể, không thêm được thành viên.")
        _raise(errors)
    clean_name = _text(full_name, PERSON_NAME_MAX, "full_name", _("Họ và tên"), errors)
    member = TeamMember(
        team=team,
        full_name=clean_name,
        name_folded=fold(clean_name),
        birth_date=birth_date,
        role=role,
        origin=origin,
        joined_on=joined_on,
    )
    _member_save(actor, team, member, recognition_decision, errors)
    audit_event_record(
        actor=actor,
        action="team.member_add",
        obj=team,
        orgunit=team.village,
        after={"member": member.pk, **model_snapshot(member, MEMBER_FIELDS)},
    )
    _resync(actor=actor, codes=[providers.TEAM_MEMBERS], start=joined_on)
    return member


@transaction.atomic
def team_member_update(
    *,
    actor: Actor,
    member: TeamMember,
    full_name: str,
    birth_date: date,
    role: str,
    origin: str,
    joined_on: date,
    left_on: date | None = None,
    recognition_decision: DecisionInput | None = None,
) -> TeamMember:
    """Change a member, including the day they left the team."""
    member = (
        TeamMember.objects.select_for_update(of=("self",))
        .select_related("team", "team__village", "team__village__parent", "recognition_decision")
        .get(pk=member.pk)
    )
    team = member.team
    _require_manage(actor, team.village)
    before = model_snapshot(member, MEMBER_FIELDS)
    old_start = member.joined_on
    old_left = member.left_on
    errors: dict[str, Any] = {}
    clean_name = _text(full_name, PERSON_NAME_MAX, "full_name", _("Họ và tên"), errors)
    member.full_name, member.name_folded = clean_name, fold(clean_name)
    member.birth_date, member.role, member.origin = birth_date, role, origin
    member.joined_on, member.left_on = joined_on, left_on
    _member_save(actor, team, member, recognition_decision, errors)
    audit_event_record(
        actor=actor,
        action="team.member_update",
        obj=team,
        orgunit=team.village,
        before={"member": member.pk, **before},
        after={"member": member.pk, **model_snapshot(member, MEMBER_FIELDS)},
    )
    dates = [d for d in (old_start, joined_on, old_left, left_on) if d is not None]
    _resync(actor=actor, codes=[providers.TEAM_MEMBERS], start=min(dates))
    return member


@transaction.atomic
def training_add(
    *,
    actor: Actor,
    team: SecurityTeam,
    held_on: date,
    title: str,
    organiser: str = "",
    hours: Decimal | None = None,
    attendees: int | None = None,
    note: str = "",
) -> TrainingRecord:
    """Record a training or drill the team attended."""
    _require_manage(actor, team.village)
    errors: dict[str, Any] = {}
    clean_title = _text(title, NAME_MAX, "title", _("Nội dung"), errors)
    if not clean_title:
        errors["title"] = _("Nhập nội dung tập huấn.")
    if held_on is None:
        errors["held_on"] = _("Nhập ngày tổ chức.")
    else:
        _not_future(errors, "held_on", held_on, _("Ngày tổ chức"))
        if held_on < team.established_on:
            errors["held_on"] = _(
                "Ngày tổ chức (%(date)s) không được trước ngày thành lập tổ (%(founded)s)."
            ) % {"date": _fmt(held_on), "founded": _fmt(team.established_on)}
    if hours is not None and hours < 0:
        errors["hours"] = _("Số giờ không được nhỏ hơn 0 (đã nhập %(value)s).") % {"value": hours}
    _count(attendees, "attendees", _("Số người tham dự"), errors)
    record = TrainingRecord(
        team=team,
        held_on=held_on,
        title=clean_title,
        organiser=_text(organiser, NAME_MAX, "organiser", _("Đơn vị tổ chức"), errors),
        hours=hours,
        attendees=attendees,
        note=(note or "").strip(),
    )
    _clean_model(record, errors)
    _raise(errors)
    record.save()
    audit_event_record(
        actor=actor,
        action="team.training_add",
        obj=team,
        orgunit=team.village,
        after={"held_on": held_on, "title": clean_title, "attendees": attendees},
    )
    return record
