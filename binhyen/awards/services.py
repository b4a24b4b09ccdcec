"""Writes of emulation and rewards: catalogue, drives, reviews, proposals, decisions.

Every service is keyword-only, atomic, validates with ``full_clean()`` and records one
``AuditEvent``; a refused actor gets ``PermissionDenied``, bad input a ``ValidationError``
naming the field (Vietnamese message), and nothing is saved.

Invariants (beyond the models'):
- A proposal's form must be granted at or above the proposer's level (a province cannot
  propose what only a commune chairman grants), to the kind of its nominees.
- A nominee lies inside the proposer's subtree; the same nominee is never proposed twice
  for the same achievement and year (in any proposal not returned for good).
- A collection code is used once; the audit of a hand-over names the reward and the
  officer, never the citizen.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.awards import codes, permissions, selectors
from binhyen.awards.models import (
    COLLECTIVE_KINDS,
    KIND_RANK,
    LEVEL_UNIT_KIND,
    CatalogueEntry,
    Decision,
    Drive,
    Level,
    Nominee,
    NomineeKind,
    Outcome,
    Proposal,
    ProposalKind,
    ProposalStatus,
    ProposalStep,
    RegistrantKind,
    Registration,
    Review,
    ReviewEntry,
    ReviewStatus,
    Reward,
    StepAction,
    Subject,
)
from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record
from binhyen.core.text import clean_text, fold
from binhyen.core.vocabulary import TaskGrade
from binhyen.orgunits.models import OrgUnit

PROPOSER_KINDS = ("commune", "province", "country")


def _text(value: Any, *, multiline: bool = False, limit: int = 300) -> str:
    return clean_text(str(value or ""), multiline=multiline)[: 10_000 if multiline else limit]


def _required(field: str, value: str) -> None:
    if not value:
        raise ValidationError({field: _("Trường này không được để trống.")})


# --- catalogue -------------------------------------------------------------------------------


CATALOGUE_FIELDS = (
    "name",
    "name_en",
    "level",
    "recipients",
    "coefficient_collective",
    "coefficient_individual",
    "legal_basis",
    "is_active",
    "sort_order",
)


@transaction.atomic
def entry_create(
    *,
    actor: Actor,
    province: OrgUnit | None,
    category: str,
    code: str,
    name: str,
    level: str,
    recipients: str,
    name_en: str = "",
    coefficient_collective: Decimal | int | str = 0,
    coefficient_individual: Decimal | int | str = 0,
    legal_basis: str = "",
    sort_order: int = 0,
) -> CatalogueEntry:
    """Add a title or form of reward, national (``province=None``) or for one province."""
    if province is not None and province.kind != "province":
        raise ValidationError({"province": _("Chỉ tỉnh mới có danh mục riêng.")})
    if not permissions.can_edit_catalogue(actor, province, selectors.country()):
        raise PermissionDenied
    entry = CatalogueEntry(
        province=province,
        category=category,
        code=_text(code, limit=60).lower(),
        name=_text(name, limit=200),
        name_en=_text(name_en, limit=200),
        name_folded=fold(_text(name, limit=200)),
        level=level,
        recipients=recipients,
        coefficient_collective=Decimal(str(coefficient_collective or 0)),
        coefficient_individual=Decimal(str(coefficient_individual or 0)),
        legal_basis=_text(legal_basis),
        sort_order=sort_order or 0,
    )
    if CatalogueEntry.objects.filter(province=province, code=entry.code).exists():
        raise ValidationError({"code": _("Mã này đã có trong danh mục.")})
    entry.full_clean()
    entry.save()
    audit_event_record(
        actor=actor,
        action="awards.entry_create",
        obj=entry,
        orgunit=province,
        after={"code": entry.code, "level": entry.level},
    )
    return entry


@transaction.atomic
def entry_update(*, actor: Actor, entry: CatalogueEntry, **changes: Any) -> CatalogueEntry:
    """Change a catalogue row; only the fields given change."""
    if not permissions.can_edit_catalogue(actor, entry.province, selectors.country()):
        raise PermissionDenied
    before = {f: str(getattr(entry, f)) for f in CATALOGUE_FIELDS}
    for name, value in changes.items():
        if name not in CATALOGUE_FIELDS:
            raise ValidationError({name: _("Trường này không sửa được.")})
        if name in ("name", "name_en", "legal_basis"):
            value = _text(value)
        if name.startswith("coefficient_"):
            value = Decimal(str(value or 0))
        setattr(entry, name, value)
    entry.name_folded = fold(entry.name)
    entry.full_clean()
    entry.save()
    audit_event_record(
        actor=actor,
        action="awards.entry_update",
        obj=entry,
        orgunit=entry.province,
        before=before,
        after={f: str(getattr(entry, f)) for f in CATALOGUE_FIELDS},
    )
    return entry


# --- drives and registrations ------------------------------------------------------------------


@transaction.atomic
def drive_create(
    *,
    actor: Actor,
    unit: OrgUnit,
    title: str,
    year: int,
    starts_on: Any,
    ends_on: Any,
    aims: str = "",
    criteria: str = "",
) -> Drive:
    """Launch an emulation drive of ``unit``."""
    if not permissions.can_manage(actor, unit):
        raise PermissionDenied
    title = _text(title)
    _required("title", title)
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    drive = Drive(
        orgunit=unit,
        title=title,
        title_folded=fold(title),
        year=year,
        starts_on=starts_on,
        ends_on=ends_on,
        aims=_text(aims, multiline=True),
        criteria=_text(criteria, multiline=True),
        launched_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    drive.full_clean()
    drive.save()
    audit_event_record(
        actor=actor, action="awards.drive_create", obj=drive, orgunit=unit, after={"year": year}
    )
    return drive


def _in_subtree(unit: OrgUnit, root: OrgUnit) -> bool:
    return unit.path.startswith(root.path)


@transaction.atomic
def registration_create(
    *,
    actor: Actor,
    drive: Drive,
    unit: OrgUnit,
    kind: str,
    name: str = "",
    commitments: str = "",
    registered_on: Any = None,
) -> Registration:
    """Register a collective or an individual of the drive's subtree."""
    if not permissions.can_manage(actor, unit):
        raise PermissionDenied
    if not _in_subtree(unit, drive.orgunit):
        raise ValidationError(
            {"unit": _("Đơn vị %(unit)s không thuộc phạm vi phong trào.") % {"unit": unit.name}}
        )
    name = _text(name, limit=200) or (unit.name if kind == RegistrantKind.COLLECTIVE else "")
    _required("name", name)
    registration = Registration(
        drive=drive,
        orgunit=unit,
        kind=kind,
        name=name,
        name_folded=fold(name),
        commitments=_text(commitments, multiline=True),
        registered_on=registered_on or selectors.today(),
    )
    registration.full_clean()
    registration.save()
    audit_event_record(
        actor=actor, action="awards.registration_create", obj=registration, orgunit=unit
    )
    return registration


@transaction.atomic
def drive_pledges_link(*, actor: Actor, drive: Drive) -> int:
    """Link the drive's community pledges as its registrations (never copied); return how many."""
    if not permissions.can_manage(actor, drive.orgunit):
        raise PermissionDenied
    linked = 0
    for pledge in selectors.pledges_to_link(user=actor, drive=drive):
        label = pledge.orgunit.name
        if pledge.signer_kind == "households":
            label = _("Các hộ gia đình %(unit)s") % {"unit": pledge.orgunit.name}
        registration = Registration(
            drive=drive,
            orgunit=pledge.orgunit,
            kind=RegistrantKind.COLLECTIVE,
            name=label[:200],
            name_folded=fold(label)[:200],
            registered_on=pledge.signed_on,
            pledge=pledge,
        )
        registration.full_clean()
        registration.save()
        linked += 1
    audit_event_record(
        actor=actor,
        action="awards.pledges_link",
        obj=drive,
        orgunit=drive.orgunit,
        after={"linked": linked},
    )
    return linked


# --- year-end review -------------------------------------------------------------------------


@transaction.atomic
def review_open(*, actor: Actor, unit: OrgUnit, year: int) -> Review:
    """Open ``unit``'s review of ``year`` with an entry per registration, collective, officer."""
    if not permissions.can_manage(actor, unit):
        raise PermissionDenied
    if unit.kind not in PROPOSER_KINDS:
        raise ValidationError({"unit": _("Chỉ Công an xã và cấp trên mới bình xét.")})
    if Review.objects.filter(orgunit=unit, year=year).exists():
        raise ValidationError({"year": _("Đơn vị đã mở bình xét năm %(year)s.") % {"year": year}})
    review = Review(orgunit=unit, year=year)
    review.full_clean()
    review.save()
    entries: list[ReviewEntry] = []
    registrations = Registration.objects.filter(
        drive__year=year, drive__orgunit__path__startswith=unit.path
    ).select_related("orgunit")
    for reg in registrations:
        entries.append(
            ReviewEntry(
                review=review,
                subject=Subject.REGISTRATION,
                registration=reg,
                orgunit=reg.orgunit,
                name=reg.name,
                evidence=selectors.unit_evidence(user=actor, unit=reg.orgunit, year=year),
            )
        )
    villages = OrgUnit.objects.filter(parent=unit, kind__in=["village", "establishment"])
    for village in villages.order_by("path"):
        entries.append(
            ReviewEntry(
                review=review,
                subject=Subject.COLLECTIVE,
                orgunit=village,
                name=village.name,
                evidence=selectors.unit_evidence(user=actor, unit=village, year=year),
            )
        )
    for team in selectors.security_teams(user=actor, unit=unit):
        entries.append(
            ReviewEntry(
                review=review, subject=Subject.COLLECTIVE, orgunit=team.village, name=team.name
            )
        )
    for officer in selectors.commune_officers(unit):
        entries.append(
            ReviewEntry(
                review=review,
                subject=Subject.OFFICER,
                orgunit=unit,
                officer=officer,
                name=(officer.get_full_name() or officer.username)[:200],
                evidence=selectors.officer_evidence(officer=officer, unit=unit, year=year),
            )
        )
    ReviewEntry.objects.bulk_create(entries)
    audit_event_record(
        actor=actor,
        action="awards.review_open",
        obj=review,
        orgunit=unit,
        after={"year": year, "entries": len(entries)},
    )
    return review


def _review_editable(actor: Actor, review: Review) -> None:
    if not permissions.can_manage(actor, review.orgunit):
        raise PermissionDenied
    if review.status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        raise ValidationError({"status": _("Bình xét đã trình, không sửa được.")})


@transaction.atomic
def review_entry_mark(
    *, actor: Actor, entry: ReviewEntry, outcome: str, note: str = ""
) -> ReviewEntry:
    """Mark a registration kept or not kept."""
    _review_editable(actor, entry.review)
    if entry.subject != Subject.REGISTRATION:
        raise ValidationError(
            {"outcome": _("Chỉ giao ước, đăng ký thi đua mới đánh giá thực hiện.")}
        )
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Chọn kết quả thực hiện giao ước.")})
    before = {"outcome": entry.outcome}
    entry.outcome = outcome
    entry.note = _text(note, multiline=True)
    entry.full_clean()
    entry.save()
    audit_event_record(
        actor=actor,
        action="awards.review_mark",
        obj=entry,
        orgunit=entry.review.orgunit,
        before=before,
        after={"outcome": outcome},
    )
    return entry


@transaction.atomic
def review_entry_classify(
    *, actor: Actor, entry: ReviewEntry, grade: str, note: str = ""
) -> ReviewEntry:
    """Classify a collective or an officer; "excellent" stays within the configured cap."""
    locked = Review.objects.select_for_update().get(pk=entry.review_id)
    _review_editable(actor, locked)
    if entry.subject == Subject.REGISTRATION:
        raise ValidationError({"grade": _("Giao ước được đánh giá thực hiện, không xếp loại.")})
    if grade not in TaskGrade.values:
        raise ValidationError({"grade": _("Chọn mức xếp loại.")})
    if grade == TaskGrade.EXCELLENT:
        group = locked.entries.filter(subject=entry.subject)
        cap = selectors.excellent_cap(group.count())
        others = group.filter(grade=TaskGrade.EXCELLENT).exclude(pk=entry.pk).count()
        if others + 1 > cap:
            raise ValidationError(
                {
                    "grade": _(
                        "Vượt giới hạn «hoàn thành xuất sắc»: tối đa %(cap)s trên %(total)s "
                        "(%(pct)s %%), đã có %(n)s."
                    )
                    % {
                        "cap": cap,
                        "total": group.count(),
                        "pct": selectors.setting("EXCELLENT_CAP_PERCENT", 20),
                        "n": others,
                    }
                }
            )
    before = {"grade": entry.grade}
    entry.grade = grade
    entry.note = _text(note, multiline=True)
    entry.full_clean()
    entry.save()
    audit_event_record(
        actor=actor,
        action="awards.review_classify",
        obj=entry,
        orgunit=locked.orgunit,
        before=before,
        after={"grade": grade},
    )
    return entry


@transaction.atomic
def review_submit(*, actor: Actor, review: Review) -> Review:
    """The chief decides the review and sends it to the upper level."""
    if not permissions.can_act_at(actor, review.orgunit):
        raise PermissionDenied
    if review.status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        raise ValidationError({"status": _("Bình xét đã trình.")})
    missing = (
        review.entries.filter(subject=Subject.REGISTRATION, outcome="").count()
        + review.entries.exclude(subject=Subject.REGISTRATION).filter(grade="").count()
    )
    if missing:
        raise ValidationError(
            {"entries": _("Còn %(n)s dòng chưa đánh giá, xếp loại.") % {"n": missing}}
        )
    review.status = ReviewStatus.SUBMITTED
    review.decided_by = actor
    review.decided_at = timezone.now()
    review.full_clean()
    review.save()
    audit_event_record(
        actor=actor, action="awards.review_submit", obj=review, orgunit=review.orgunit
    )
    return review


def _upper_acts(actor: Actor, review: Review) -> None:
    if not permissions.can_act_at(actor, review.orgunit.parent):
        raise PermissionDenied
    if review.status != ReviewStatus.SUBMITTED:
        raise ValidationError({"status": _("Bình xét chưa trình hoặc đã được duyệt.")})


@transaction.atomic
def review_approve(*, actor: Actor, review: Review) -> Review:
    """The upper level approves a submitted review."""
    _upper_acts(actor, review)
    review.status = ReviewStatus.APPROVED
    review.approved_by = actor
    review.approved_at = timezone.now()
    review.full_clean()
    review.save()
    audit_event_record(
        actor=actor, action="awards.review_approve", obj=review, orgunit=review.orgunit
    )
    return review


@transaction.atomic
def review_return(*, actor: Actor, review: Review, comment: str) -> Review:
    """The upper level returns a submitted review with a comment."""
    _upper_acts(actor, review)
    comment = _text(comment, multiline=True)
    _required("comment", comment)
    review.status = ReviewStatus.RETURNED
    review.comment = comment
    review.full_clean()
    review.save()
    audit_event_record(
        actor=actor, action="awards.review_return", obj=review, orgunit=review.orgunit
    )
    return review


# --- proposals -------------------------------------------------------------------------------


def _check_form(unit: OrgUnit, form: CatalogueEntry) -> OrgUnit:
    """Return the deciding unit of ``form`` for a proposal of ``unit``, or refuse it."""
    if form not in selectors.forms_for(unit):
        raise ValidationError({"form": _("Hình thức này không có trong danh mục của đơn vị.")})
    kind = LEVEL_UNIT_KIND[Level(form.level)]
    deciding = selectors.deciding_unit_for(unit, form.level)
    if deciding is None or KIND_RANK.get(kind, 0) < KIND_RANK.get(unit.kind, 0):
        raise ValidationError(
            {
                "form": _(
                    "«%(form)s» do %(level)s quyết định: %(unit)s không thể đề nghị hình thức này."
                )
                % {"form": form.name, "level": form.get_level_display(), "unit": unit.name}
            }
        )
    return deciding


def _achievement(kind: str, year: int, achievement: str) -> str:
    text = _text(achievement)
    if text:
        return text
    if kind == ProposalKind.REGULAR:
        return _("Thành tích năm %(year)s trong phong trào toàn dân bảo vệ ANTQ") % {"year": year}
    raise ValidationError({"achievement": _("Ghi thành tích được đề nghị khen thưởng.")})


@transaction.atomic
def proposal_create(
    *,
    actor: Actor,
    unit: OrgUnit,
    kind: str,
    year: int,
    form: CatalogueEntry,
    achievement: str = "",
    summary: str = "",
) -> Proposal:
    """Draft a proposal of ``unit``; the summary is pre-filled from the engine when empty."""
    if not permissions.can_manage(actor, unit):
        raise PermissionDenied
    if unit.kind not in PROPOSER_KINDS:
        raise ValidationError({"unit": _("Chỉ Công an xã và cấp trên mới đề nghị khen thưởng.")})
    deciding = _check_form(unit, form)
    text = _achievement(kind, year, achievement)
    body = _text(summary, multiline=True)
    if not body:
        body = "\n".join(selectors.unit_evidence(user=actor, unit=unit, year=year))
    proposal = Proposal(
        orgunit=unit,
        kind=kind,
        year=year,
        form=form,
        achievement=text,
        achievement_folded=fold(text)[:300],
        summary=body,
        current_unit=unit,
        deciding_unit=deciding,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    proposal.full_clean()
    proposal.save()
    audit_event_record(
        actor=actor,
        action="awards.proposal_create",
        obj=proposal,
        orgunit=unit,
        after={"form": form.code, "year": year, "kind": kind},
    )
    return proposal


def _editable(actor: Actor, proposal: Proposal) -> None:
    if not permissions.can_manage(actor, proposal.orgunit):
        raise PermissionDenied
    if proposal.status not in (ProposalStatus.DRAFT, ProposalStatus.RETURNED):
        raise ValidationError({"status": _("Đề nghị đã trình, không sửa được.")})


def _duplicate(proposal: Proposal, kind: str, unit: OrgUnit, name_folded: str, tip_id: Any) -> bool:
    others = Nominee.objects.filter(
        proposal__year=proposal.year,
        proposal__achievement_folded=proposal.achievement_folded,
        kind=kind,
        orgunit=unit,
        name_folded=name_folded,
    ).exclude(proposal=proposal)
    if tip_id:
        others = Nominee.objects.filter(proposal__year=proposal.year, tip_id=tip_id).exclude(
            proposal=proposal
        )
    return (
        others.exists()
        or proposal.nominees.filter(kind=kind, orgunit=unit, name_folded=name_folded).exists()
    )


@transaction.atomic
def nominee_add(
    *,
    actor: Actor,
    proposal: Proposal,
    kind: str,
    unit: OrgUnit,
    name: str = "",
    tip_id: int | None = None,
) -> Nominee:
    """Nominate a collective or an individual of the proposer's subtree."""
    _editable(actor, proposal)
    if kind not in NomineeKind.values:
        raise ValidationError({"kind": _("Chọn đối tượng được đề nghị.")})
    if (
        not _in_subtree(unit, proposal.orgunit)
        or not selectors.visible_units(actor).filter(pk=unit.pk).exists()
    ):
        raise ValidationError(
            {
                "unit": _("%(unit)s ngoài phạm vi của %(proposer)s.")
                % {"unit": unit.name, "proposer": proposal.orgunit.name}
            }
        )
    collective = kind in COLLECTIVE_KINDS
    if not proposal.form.grants_to(collective):
        raise ValidationError(
            {
                "kind": _("«%(form)s» chỉ dành cho %(who)s.")
                % {
                    "form": proposal.form.name,
                    "who": proposal.form.get_recipients_display().lower(),
                }
            }
        )
    label = _text(name, limit=200) or (unit.name if collective else "")
    _required("name", label)
    folded = fold(label)
    if _duplicate(proposal, kind, unit, folded, tip_id):
        raise ValidationError(
            {
                "name": _(
                    "%(name)s đã được đề nghị hoặc khen thưởng cho thành tích này năm %(year)s."
                )
                % {"name": label, "year": proposal.year}
            }
        )
    nominee = Nominee(
        proposal=proposal, kind=kind, orgunit=unit, name=label, name_folded=folded, tip_id=tip_id
    )
    nominee.full_clean()
    nominee.save()
    audit_event_record(
        actor=actor,
        action="awards.nominee_add",
        obj=proposal,
        orgunit=proposal.orgunit,
        after={"kind": kind, "unit": unit.code},
    )
    return nominee


@transaction.atomic
def nominee_remove(*, actor: Actor, nominee: Nominee) -> None:
    proposal = nominee.proposal
    _editable(actor, proposal)
    audit_event_record(
        actor=actor,
        action="awards.nominee_remove",
        obj=proposal,
        orgunit=proposal.orgunit,
        before={"kind": nominee.kind, "unit": nominee.orgunit.code},
    )
    nominee.delete()


@transaction.atomic
def proposal_add_kept(*, actor: Actor, proposal: Proposal) -> int:
    """Nominate every village whose registration the unit's approved review marked kept."""
    _editable(actor, proposal)
    entries = ReviewEntry.objects.filter(
        review__orgunit=proposal.orgunit,
        review__year=proposal.year,
        subject=Subject.REGISTRATION,
        outcome=Outcome.KEPT,
    ).select_related("orgunit")
    added = 0
    for entry in entries:
        kind = NomineeKind.VILLAGE if entry.orgunit.kind == "village" else NomineeKind.AGENCY
        if entry.orgunit.kind not in ("village", "establishment"):
            kind = NomineeKind.UNIT
        name = entry.orgunit.name
        if proposal.nominees.filter(orgunit=entry.orgunit, name_folded=fold(name)).exists():
            continue
        nominee_add(actor=actor, proposal=proposal, kind=kind, unit=entry.orgunit, name=name)
        added += 1
    return added


def _step(proposal: Proposal, unit: OrgUnit, action: str, actor: Actor, comment: str = "") -> None:
    step = ProposalStep(
        proposal=proposal,
        orgunit=unit,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        comment=comment,
    )
    step.full_clean()
    step.save()


def _next_up(proposal: Proposal, unit: OrgUnit) -> OrgUnit:
    """Return the next level above ``unit`` on the way to the deciding unit."""
    target_rank = KIND_RANK.get(proposal.deciding_unit.kind, 3)
    for kind in ("province", "country"):
        if KIND_RANK[kind] > KIND_RANK.get(unit.kind, 0) and KIND_RANK[kind] <= target_rank:
            found = selectors.ancestor_of_kind(unit, kind)
            if found is not None:
                return found
    return proposal.deciding_unit


@transaction.atomic
def proposal_submit(*, actor: Actor, proposal: Proposal) -> Proposal:
    """Send the proposal up; a chief's own submission counts as the unit's approval."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _editable(actor, locked)
    if not locked.nominees.exists():
        raise ValidationError({"nominees": _("Thêm ít nhất một tập thể hoặc cá nhân.")})
    _check_form(locked.orgunit, locked.form)
    locked.status = ProposalStatus.PENDING
    locked.submitted_at = timezone.now()
    locked.current_unit = locked.orgunit
    _step(locked, locked.orgunit, StepAction.SUBMITTED, actor)
    if permissions.can_act_at(actor, locked.orgunit) and locked.orgunit != locked.deciding_unit:
        locked.current_unit = _next_up(locked, locked.orgunit)
    locked.full_clean()
    locked.save()
    audit_event_record(
        actor=actor,
        action="awards.proposal_submit",
        obj=locked,
        orgunit=locked.orgunit,
        after={"at": locked.current_unit.code},
    )
    return locked


def _acting(actor: Actor, proposal: Proposal) -> Proposal:
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not permissions.can_act_at(actor, locked.current_unit):
        raise PermissionDenied
    if locked.status != ProposalStatus.PENDING:
        raise ValidationError({"status": _("Đề nghị không chờ xử lý tại cấp này.")})
    return locked


@transaction.atomic
def proposal_forward(*, actor: Actor, proposal: Proposal, comment: str = "") -> Proposal:
    """Agree at this level and pass the proposal to the next level up."""
    locked = _acting(actor, proposal)
    if locked.current_unit == locked.deciding_unit:
        raise ValidationError(
            {"status": _("Cấp này có thẩm quyền quyết định: ghi quyết định khen thưởng.")}
        )
    here = locked.current_unit
    _step(locked, here, StepAction.FORWARDED, actor, _text(comment, multiline=True))
    locked.current_unit = _next_up(locked, here)
    locked.full_clean()
    locked.save()
    audit_event_record(
        actor=actor,
        action="awards.proposal_forward",
        obj=locked,
        orgunit=here,
        after={"at": locked.current_unit.code},
    )
    return locked


@transaction.atomic
def proposal_return(*, actor: Actor, proposal: Proposal, comment: str) -> Proposal:
    """Return the proposal to its unit with a comment."""
    locked = _acting(actor, proposal)
    comment = _text(comment, multiline=True)
    _required("comment", comment)
    here = locked.current_unit
    _step(locked, here, StepAction.RETURNED, actor, comment)
    locked.status = ProposalStatus.RETURNED
    locked.current_unit = locked.orgunit
    locked.full_clean()
    locked.save()
    audit_event_record(actor=actor, action="awards.proposal_return", obj=locked, orgunit=here)
    return locked


def amount_for(form: CatalogueEntry, collective: bool) -> int | None:
    coefficient = form.coefficient_collective if collective else form.coefficient_individual
    if not coefficient:
        return None
    return int(Decimal(selectors.setting("BASE_SALARY_VND", 0)) * coefficient)


@transaction.atomic
def proposal_decide(
    *,
    actor: Actor,
    proposal: Proposal,
    number: str,
    decided_on: Any,
    signer: str,
    comment: str = "",
) -> Decision:
    """Record the deciding level's decision: one reward per nominee, amounts from the catalogue."""
    locked = _acting(actor, proposal)
    if locked.current_unit != locked.deciding_unit:
        raise ValidationError(
            {"status": _("Cấp này không có thẩm quyền quyết định hình thức khen thưởng này.")}
        )
    number, signer = _text(number, limit=60), _text(signer, limit=200)
    _required("number", number)
    _required("signer", signer)
    if decided_on is None:
        raise ValidationError({"decided_on": _("Trường này không được để trống.")})
    if decided_on > selectors.today():
        raise ValidationError({"decided_on": _("Ngày quyết định không được sau hôm nay.")})
    if Decision.objects.filter(orgunit=locked.deciding_unit, number=number).exists():
        raise ValidationError({"number": _("Số quyết định này đã dùng.")})
    decision = Decision(
        proposal=locked,
        orgunit=locked.deciding_unit,
        number=number,
        decided_on=decided_on,
        signer=signer,
    )
    decision.full_clean()
    decision.save()
    for nominee in locked.nominees.select_related("orgunit"):
        reward = Reward(
            decision=decision,
            nominee=nominee,
            orgunit=nominee.orgunit,
            proposer_unit=locked.orgunit,
            form=locked.form,
            level=locked.form.level,
            year=locked.year,
            is_collective=nominee.is_collective,
            name=nominee.name,
            amount=amount_for(locked.form, nominee.is_collective),
            tip_id=nominee.tip_id,
        )
        if nominee.tip_id:
            reward.code_nonce = codes.new_nonce()
            reward.code_hash = codes.hash_of(codes.code_for(reward.code_nonce))
        reward.full_clean()
        reward.save()
    _step(locked, locked.deciding_unit, StepAction.DECIDED, actor, _text(comment, multiline=True))
    locked.status = ProposalStatus.DECIDED
    locked.full_clean()
    locked.save()
    audit_event_record(
        actor=actor,
        action="awards.proposal_decide",
        obj=locked,
        orgunit=locked.deciding_unit,
        after={"number": number, "rewards": locked.nominees.count()},
    )
    rewards_metrics_sync(actor=actor, year=locked.year)
    return decision


def rewards_metrics_sync(*, actor: Actor | None, year: int) -> int:
    """Recompute the reward metrics of ``year`` (inside the caller's transaction)."""
    from binhyen.awards import providers
    from binhyen.indicators.models import Metric, MetricSource
    from binhyen.indicators.services import provider_values_sync

    changed = 0
    for metric in Metric.objects.filter(
        code__in=providers.METRICS,
        source=MetricSource.PROVIDER,
        provider_key=providers.KEY,
        is_active=True,
    ):
        changed += provider_values_sync(actor=actor, metric=metric, period_code=str(year))
    return changed


# --- the anonymous tipster -------------------------------------------------------------------


@transaction.atomic
def tip_reward_propose(
    *,
    actor: Actor,
    tip_id: int,
    form: CatalogueEntry,
    achievement: str = "",
    summary: str = "",
) -> Proposal:
    """Propose a reward for a valuable tip's tipster, without knowing who they are."""
    tip = selectors.tip_get(user=actor, pk=tip_id)
    unit = tip.commune or tip.orgunit
    if not permissions.can_reward_tips(actor, unit):
        raise PermissionDenied
    if not tip.is_valuable:
        raise ValidationError({"tip": _("Chỉ tin được đánh giá có giá trị mới được khen thưởng.")})
    proposer = selectors.ancestor_of_kind(unit, "commune") or unit
    text = _text(achievement) or _("Cung cấp nguồn tin có giá trị (tin %(code)s)") % {
        "code": tip.tracking_code
    }
    proposal = proposal_create(
        actor=actor,
        unit=proposer,
        kind=ProposalKind.ADHOC,
        year=tip.created_at.year,
        form=form,
        achievement=text,
        summary=_text(summary, multiline=True) or text,
    )
    nominee_add(
        actor=actor,
        proposal=proposal,
        kind=NomineeKind.TIPSTER,
        unit=proposer,
        name=_("Người báo tin ẩn danh"),
        tip_id=tip.pk,
    )
    return proposal_submit(actor=actor, proposal=proposal)


@transaction.atomic
def reward_collect(*, actor: Actor, code: str, collector_name: str = "") -> Reward:
    """Hand over a tipster's reward at the counter: the code works once."""
    if not codes.normalise(code):
        raise ValidationError({"code": _("Mã nhận thưởng gồm 10 ký tự, ví dụ ABCDE-FGHJK.")})
    found = selectors.reward_by_code(code)
    if found is None or not permissions.can_reward_tips(actor, found.proposer_unit):
        raise ValidationError({"code": _("Mã nhận thưởng không đúng.")})
    reward = Reward.objects.select_for_update().get(pk=found.pk)
    if reward.collected_at is not None:
        raise ValidationError(
            {
                "code": _("Mã nhận thưởng đã được dùng lúc %(at)s: không trao lần hai.")
                % {"at": timezone.localtime(reward.collected_at).strftime("%d/%m/%Y %H:%M")}
            }
        )
    reward.collected_at = timezone.now()
    reward.collected_by = actor
    reward.collector_name = _text(collector_name, limit=200)
    reward.full_clean()
    reward.save()
    # The audit names the reward and the officer; never the citizen, never the code.
    audit_event_record(
        actor=actor,
        action="awards.reward_collect",
        obj=reward,
        orgunit=reward.proposer_unit,
        after={"reward": reward.pk, "named": bool(reward.collector_name)},
    )
    return reward
