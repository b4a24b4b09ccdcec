"""What the field app keeps on the device: the user's units, villages and catalogues only.

Invariants: the offline bundle holds the communes where the user records activities or
community data (at most ``FIELD_MAX_COMMUNES``), their open villages, the open security teams
of those communes, the cells of the periodic reports they fill now and the choice lists of
the forms — nothing from tips or cases and no
person's data (team members are not listed; a team is named by its unit and name only).
Every read starts from the other apps' scoped selectors.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from binhyen.accounts import permissions as perms
from binhyen.activities import selectors as activity_selectors
from binhyen.activities.models import (
    KIND_FIELDS,
    ActivityKind,
    CameraOwnership,
    MediaChannel,
    WeaponKind,
)
from binhyen.community import selectors as community_selectors
from binhyen.community.models import MemberOrigin, SignerKind, TeamRole
from binhyen.core.idempotency import version_of
from binhyen.indicators import selectors as indicator_selectors
from binhyen.indicators.excel import template_lines
from binhyen.indicators.permissions import can_enter_data
from binhyen.orgunits.models import OrgUnit


def _choices(enum: Any) -> list[dict[str, str]]:
    return [{"value": str(value), "label": str(label)} for value, label in enum.choices]


def catalogues() -> dict[str, Any]:
    """The choice lists of the offline forms (the same enums the services validate)."""
    return {
        "activity_kinds": [
            {"value": str(k.value), "label": str(k.label), "fields": list(KIND_FIELDS[k])}
            for k in ActivityKind
        ],
        "channels": _choices(MediaChannel),
        "camera_ownership": _choices(CameraOwnership),
        "item_kinds": _choices(WeaponKind),
        "signer_kinds": _choices(SignerKind),
        "team_roles": _choices(TeamRole),
        "member_origins": _choices(MemberOrigin),
    }


def _village(user: Any, village: OrgUnit) -> dict[str, Any]:
    return {
        "code": village.code,
        "name": village.name,
        "households": village.households,
        "population": village.population,
        "version": version_of(village),
        "can_change": perms.has_perm_on(user, perms.CHANGE_UNITS, village),
    }


def field_communes(*, user: Any) -> list[OrgUnit]:
    """The open communes the user works in: records activities or community data."""
    limit = getattr(settings, "FIELD_MAX_COMMUNES", 20)
    found: dict[int, OrgUnit] = {}
    for commune in activity_selectors.recording_communes(user=user).order_by("path")[:limit]:
        found[commune.pk] = commune
    for commune in community_selectors.manageable_communes(user=user, limit=limit):
        found.setdefault(commune.pk, commune)
    return sorted(found.values(), key=lambda c: c.path)[:limit]


def report_drafts(*, user: Any, unit: OrgUnit) -> list[dict[str, Any]]:
    """The periodic reports ``unit`` fills now (their cells), for values saved as a draft."""
    if not can_enter_data(user, unit):
        return []
    reports = []
    for form in indicator_selectors.forms_for_unit(unit):
        period = indicator_selectors.default_report_period(form)
        lines = template_lines(indicator_selectors.form_metrics(form), {})
        reports.append(
            {
                "form": form.code,
                "name": form.name,
                "period": period.code,
                "period_label": str(period.label),
                "cells": [
                    {
                        "metric": line.metric.code,
                        "option": line.option,
                        "name": line.metric.label
                        + (f" — {line.option_name}" if line.option else ""),
                        "unit_of_measure": line.metric.unit_of_measure,
                    }
                    for line in lines
                ],
            }
        )
    return reports


def bundle(*, user: Any) -> dict[str, Any]:
    """The data the field app caches on the device for ``user``'s scope."""
    communes = []
    for commune in field_communes(user=user):
        villages = activity_selectors.commune_villages(user=user, commune=commune)
        teams = community_selectors.team_list(user=user, unit=commune, status="active")
        manages = perms.has_perm_on(user, perms.MANAGE_COMMUNITY, commune)
        communes.append(
            {
                "code": commune.code,
                "name": commune.name,
                "records_activities": perms.has_perm_on(user, perms.RECORD_ACTIVITIES, commune),
                "manages_community": manages,
                "villages": [_village(user, v) for v in villages],
                "reports": report_drafts(user=user, unit=commune),
                "teams": [
                    {"id": t.pk, "name": t.name, "village": t.village.code}
                    for t in teams.select_related("village")[:200]
                ]
                if manages
                else [],
            }
        )
    return {"communes": communes, "catalogues": catalogues()}
