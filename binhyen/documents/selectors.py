"""Reads of the documents app, scoped to the requesting user.

Invariants:
- A document, a job or a unit profile is found only through a unit in
  ``OrgUnit.objects.visible_to(user)``; a job only by its requester. Missing and forbidden
  objects give the same ``Http404``.
- ``template_for`` decides which version a unit renders: the newest upload of its province,
  else the newest national upload, else the file shipped with the product.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.core.search import text_search
from binhyen.documents.catalogue import SPECS, Spec, spec_get
from binhyen.documents.models import (
    DocumentProfile,
    DocumentTemplate,
    IssuedDocument,
    RenderJob,
)
from binhyen.indicators.periods import Period, PeriodError, parse_period
from binhyen.orgunits.models import OrgUnit

_NAME_PREFIX = re.compile(
    r"^(xã|phường|đặc khu|thị trấn|tỉnh|thành phố|huyện|quận|thị xã)\s+", re.IGNORECASE
)
# The body's abbreviation in a symbol, by unit kind (configurable per unit in its profile).
DEFAULT_SYMBOLS = {"commune": "CAX", "province": "CAT", "country": "BCA", "district": "CAH"}


def not_found_message() -> str:
    return _("Không tìm thấy văn bản hoặc bạn không có quyền xem.")


def today() -> date:
    return timezone.localdate()


def visible_units(user: Any) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.visible_to(user)


def unit_get(*, user: Any, code: str) -> OrgUnit:
    """Return the visible unit with ``code``; 404 naming it otherwise."""
    unit = visible_units(user).select_related("parent").filter(code=code).first()
    if unit is None:
        raise Http404(
            _("Không tìm thấy đơn vị '%(code)s' hoặc bạn không có quyền xem đơn vị này.")
            % {"code": code[:40]}
        )
    return unit


def province_of(unit: OrgUnit) -> OrgUnit | None:
    """Return the province a unit belongs to (itself for a province), or None."""
    if unit.kind == "province":
        return unit
    parts = unit.path.strip("/").split("/")
    if len(parts) < 2:
        return None
    return OrgUnit.objects.filter(code=parts[1], kind="province").first()


def period_get(code: str) -> Period:
    """Return the period named by ``code``; ``PeriodError`` names a bad one."""
    return parse_period(code)


def period_or_none(code: str) -> Period | None:
    try:
        return parse_period(code)
    except PeriodError:
        return None


# --- templates ----------------------------------------------------------------------------


@dataclass
class ResolvedTemplate:
    spec: Spec
    content: bytes
    version: str  # "quốc gia v3", "tỉnh 01 v2" or "gốc"
    row: DocumentTemplate | None


def template_versions(*, code: str, province: OrgUnit | None) -> QuerySet[DocumentTemplate]:
    """Return the uploaded versions of ``code`` for ``province`` (None: national), newest first."""
    qs = DocumentTemplate.objects.filter(code=code)
    qs = qs.filter(province=province) if province is not None else qs.filter(province__isnull=True)
    return qs.select_related("uploaded_by").order_by("-version")


def template_for(*, spec: Spec, unit: OrgUnit | None) -> ResolvedTemplate:
    """Return the template version ``unit`` renders with (see the module docstring)."""
    province = province_of(unit) if unit is not None else None
    row = None
    if province is not None:
        row = template_versions(code=spec.code, province=province).first()
    if row is None:
        row = template_versions(code=spec.code, province=None).first()
    if row is not None:
        scope = row.province.code if row.province_id else "VN"  # type: ignore[union-attr]
        return ResolvedTemplate(spec, bytes(row.content), f"{scope} v{row.version}", row)
    return ResolvedTemplate(spec, spec.shipped_path.read_bytes(), "shipped", None)


def template_row_get(*, pk: int) -> DocumentTemplate:
    row = DocumentTemplate.objects.select_related("province").filter(pk=pk).first()
    if row is None:
        raise Http404(not_found_message())
    return row


def catalogue() -> tuple[Spec, ...]:
    return SPECS


def spec_or_404(code: str) -> Spec:
    spec = spec_get(code)
    if spec is None:
        raise Http404(_("Không có mẫu văn bản '%(code)s'.") % {"code": code[:40]})
    return spec


# --- unit profile -----------------------------------------------------------------------------


@dataclass
class Profile:
    body_name: str
    parent_body_name: str
    symbol: str
    place: str
    signer_prefix: str
    signer_authority: str
    signer_title: str
    signer_name: str
    recipients: list[str]


def short_name(unit: OrgUnit) -> str:
    """Return the unit's name without its kind: "Hiệp Hòa" for "Xã Hiệp Hòa"."""
    return unit.short_name or _NAME_PREFIX.sub("", unit.name)


def _body_of(unit: OrgUnit | None) -> str:
    if unit is None:
        return ""
    if unit.kind == "country":
        return _("Bộ Công an")
    return _("Công an %(unit)s") % {"unit": unit.name[:1].lower() + unit.name[1:]}


def profile_for(unit: OrgUnit) -> Profile:
    """Return how ``unit`` signs its documents: its stored profile over derived defaults."""
    parent = unit.parent if unit.parent_id else None
    stored = DocumentProfile.objects.filter(orgunit=unit).first()
    head = (
        _("Trưởng Công an xã")
        if unit.kind == "commune"
        else (_("Giám đốc Công an tỉnh") if unit.kind == "province" else _("Thủ trưởng"))
    )
    default = Profile(
        body_name=_body_of(unit),
        parent_body_name=_body_of(parent)
        if parent is not None and parent.kind != "country"
        else "",
        symbol=DEFAULT_SYMBOLS.get(unit.kind, "CA"),
        place=short_name(unit),
        signer_prefix="",
        signer_authority=head,
        signer_title="",
        signer_name="",
        recipients=[],
    )
    if unit.kind == "province" and not default.parent_body_name:
        default.parent_body_name = _("Bộ Công an")
    if stored is None:
        return default
    return Profile(
        body_name=stored.body_name or default.body_name,
        parent_body_name=stored.parent_body_name or default.parent_body_name,
        symbol=stored.symbol or default.symbol,
        place=stored.place or default.place,
        signer_prefix=stored.signer_prefix,
        signer_authority=stored.signer_authority or default.signer_authority,
        signer_title=stored.signer_title,
        signer_name=stored.signer_name,
        recipients=[r.strip() for r in stored.recipients.splitlines() if r.strip()],
    )


def profile_stored(unit: OrgUnit) -> DocumentProfile | None:
    return DocumentProfile.objects.filter(orgunit=unit).first()


# --- documents and jobs ---------------------------------------------------------------------


def documents_visible(user: Any) -> QuerySet[IssuedDocument]:
    return IssuedDocument.objects.filter(orgunit__in=visible_units(user))


def document_list(
    *,
    user: Any,
    unit: OrgUnit | None = None,
    status: str | None = None,
    q: str | None = None,
) -> QuerySet[IssuedDocument]:
    qs = documents_visible(user).select_related("orgunit")
    if unit is not None:
        qs = qs.filter(orgunit__path__startswith=unit.path)
    if status:
        qs = qs.filter(status=status)
    text = (q or "").strip()[:200]
    if text:
        qs = text_search(qs, text, ["summary", "symbol"])
    return qs.order_by("-created_at", "-id")


def document_get(*, user: Any, pk: int) -> IssuedDocument:
    doc = documents_visible(user).select_related("orgunit", "orgunit__parent").filter(pk=pk).first()
    if doc is None:
        raise Http404(not_found_message())
    return doc


def job_get(*, user: Any, pk: Any) -> RenderJob:
    """Return the job ``pk`` of ``user`` (only its requester sees it)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404(not_found_message())
    job = RenderJob.objects.filter(pk=pk, user=user).select_related("document").first()
    if job is None:
        raise Http404(not_found_message())
    return job


def jobs_of(
    *, user: Any, document: IssuedDocument | None = None, limit: int = 10
) -> list[RenderJob]:
    qs = RenderJob.objects.filter(user=user)
    qs = qs.filter(document=document) if document is not None else qs.filter(fmt="zip")
    return list(qs.order_by("-created_at")[:limit])


def issuing_units(*, user: Any, perm_check: Any) -> list[OrgUnit]:
    """Return the units ``user`` may draft documents for (communes and provinces in scope)."""
    qs = visible_units(user).filter(
        kind__in=("commune", "province", "country"), valid_to__isnull=True
    )
    return [u for u in qs.order_by("level", "name_folded")[:300] if perm_check(user, u)]


def number_taken(*, unit: OrgUnit, year: int, number: int, exclude: int | None = None) -> bool:
    qs = IssuedDocument.objects.filter(orgunit=unit, year=year, number=number)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.exists()


def next_number(*, unit: OrgUnit, year: int) -> int:
    last = (
        IssuedDocument.objects.filter(orgunit=unit, year=year, number__isnull=False)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return (last or 0) + 1
