"""Builders for community tests: records are made through the services, as users make them."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any, cast

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from binhyen.community import services
from binhyen.community.models import (
    MemberOrigin,
    Pledge,
    Scheme,
    SchemeType,
    SecurityTeam,
    SignerKind,
    TeamMember,
    TeamRole,
)
from binhyen.core.actors import Actor
from binhyen.orgunits.models import OrgUnit
from binhyen.orgunits.tests.factories import (
    CommuneFactory,
    EstablishmentFactory,
    VillageFactory,
)


def today() -> date:
    return timezone.localdate()


def village(parent: OrgUnit, **kwargs: Any) -> OrgUnit:
    return cast(OrgUnit, VillageFactory(parent=parent, **kwargs))


def establishment(parent: OrgUnit, **kwargs: Any) -> OrgUnit:
    return cast(OrgUnit, EstablishmentFactory(parent=parent, **kwargs))


def commune(parent: OrgUnit, **kwargs: Any) -> OrgUnit:
    return cast(OrgUnit, CommuneFactory(parent=parent, **kwargs))


def national_type(code: str = "to_tu_quan") -> SchemeType:
    """Return a type of the national catalogue seeded by the app's migration."""
    return SchemeType.objects.get(province__isnull=True, code=code)


def scheme(
    actor: Actor,
    units: list[OrgUnit],
    *,
    code: str = "to_tu_quan",
    name: str = "Tổ tự quản thôn Cấm",
    founded_on: date | None = None,
    **extra: Any,
) -> Scheme:
    return services.scheme_create(
        actor=actor,
        scheme_type=national_type(code),
        name=name,
        units=units,
        lead_org_kind=extra.pop("lead_org_kind", "veterans"),
        founded_on=founded_on or today().replace(day=1),
        **extra,
    )


def team(actor: Actor, village: OrgUnit, *, established_on: date | None = None) -> SecurityTeam:
    return services.team_create(
        actor=actor, village=village, established_on=established_on or date(2024, 7, 1)
    )


_people = iter(range(1, 1_000_000))


def member(
    actor: Actor,
    team_obj: SecurityTeam,
    *,
    role: str = TeamRole.MEMBER,
    full_name: str | None = None,
    birth_date: date | None = None,
    joined_on: date | None = None,
    origin: str = MemberOrigin.NEW,
) -> TeamMember:
    number = next(_people)
    return services.team_member_add(
        actor=actor,
        team=team_obj,
        full_name=full_name or f"Nguyễn Văn Thành Viên {number}",
        birth_date=birth_date or date(1980, 1, 1) + timedelta(days=number),
        role=role,
        origin=origin,
        joined_on=joined_on or team_obj.established_on,
    )


def pledge(
    actor: Actor,
    unit: OrgUnit,
    *,
    kind: str = SignerKind.VILLAGE,
    year: int | None = None,
    signed_on: date | None = None,
    household_count: int | None = None,
) -> Pledge:
    year = year or today().year
    return services.pledge_create(
        actor=actor,
        unit=unit,
        signer_kind=kind,
        year=year,
        signed_on=signed_on or min(today(), date(year, 1, 15)),
        signed_by="Trưởng thôn",
        household_count=household_count,
    )


def png_bytes(*, exif: bool = False) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (8, 8), (200, 10, 10))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "Camera maker"
        image.save(out, format="JPEG", exif=data.tobytes())
    else:
        image.save(out, format="PNG")
    return out.getvalue()


def upload(name: str = "qd.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    data = content if content is not None else b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")
