"""Builders for awards tests: Yên Thượng with ten villages, its team and its people."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from binhyen.accounts.models import Role, User
from binhyen.accounts.tests.factories import user_with_role
from binhyen.awards import services
from binhyen.awards.models import CatalogueEntry, Proposal, ProposalKind
from binhyen.community import services as community_services
from binhyen.community.models import SignerKind
from binhyen.orgunits.models import OrgUnit
from binhyen.orgunits.tests.factories import (
    CommuneFactory,
    ProvinceFactory,
    VillageFactory,
    country,
)

YEAR = 2026


@dataclass
class Scene:
    country: Any
    province: OrgUnit
    commune: OrgUnit
    villages: list[OrgUnit]
    other_commune: OrgUnit
    far_commune: OrgUnit
    province_officer: User
    chief: User
    officer: User
    ministry: User
    far_officer: User
    viewer: User
    pledges: list[Any] = field(default_factory=list)


def scene(villages: int = 10) -> Scene:
    root = country()
    province = cast(OrgUnit, ProvinceFactory(code="24", name="Tỉnh Phú Thọ"))
    commune = cast(OrgUnit, CommuneFactory(parent=province, code="07840", name="Xã Yên Thượng"))
    other = cast(OrgUnit, CommuneFactory(parent=province, code="07841", name="Xã Yên Hạ"))
    far_province = cast(OrgUnit, ProvinceFactory(code="20", name="Tỉnh Lạng Sơn"))
    far = cast(OrgUnit, CommuneFactory(parent=far_province, code="06100", name="Xã Xa"))
    rows = [
        cast(OrgUnit, VillageFactory(parent=commune, name=f"Thôn Đồng {i + 1}"))
        for i in range(villages)
    ]
    return Scene(
        country=root,
        province=province,
        commune=commune,
        villages=rows,
        other_commune=other,
        far_commune=far,
        province_officer=user_with_role(Role.PROVINCE_OFFICER, province, username="tinh"),
        chief=user_with_role(Role.COMMUNE_CHIEF, commune, username="truong"),
        officer=user_with_role(Role.COMMUNE_OFFICER, commune, username="canbo"),
        ministry=user_with_role(Role.MINISTRY_OFFICER, root, username="bo"),
        far_officer=user_with_role(Role.PROVINCE_OFFICER, far_province, username="xa"),
        viewer=user_with_role(Role.VIEWER, province, username="xem"),
    )


def entry(code: str) -> CatalogueEntry:
    return CatalogueEntry.objects.get(province=None, code=code)


def pledges(s: Scene, year: int = YEAR) -> list[Any]:
    s.pledges = [
        community_services.pledge_create(
            actor=s.officer,
            unit=v,
            signer_kind=SignerKind.VILLAGE,
            year=year,
            signed_on=date(year, 1, 10),
            signed_by="Trưởng thôn",
            household_count=None,
        )
        for v in s.villages
    ]
    return s.pledges


def proposal(
    s: Scene, *, form: str = "giay-khen-giam-doc-ca-tinh", year: int = YEAR, **kw: Any
) -> Proposal:
    return services.proposal_create(
        actor=kw.pop("actor", s.chief),
        unit=kw.pop("unit", s.commune),
        kind=kw.pop("kind", ProposalKind.REGULAR),
        year=year,
        form=entry(form),
        achievement=kw.pop("achievement", ""),
        summary=kw.pop("summary", ""),
    )


def world_objects(
    *, chief: Any, officer: Any, province_officer: Any, province: Any, commune: Any, village: Any
) -> dict[str, Any]:
    """Return commune A's awards records for the authorization matrix and the API contract.

    A province catalogue row, a drive, an open review with its first line, and a proposal
    submitted by the commune officer (so it waits for the chief at the commune).
    """
    from binhyen.awards.models import NomineeKind, ProposalKind

    year = date.today().year  # noqa: DTZ011 - a calendar year only
    row = services.entry_create(
        actor=province_officer,
        province=province,
        category="form",
        code="giay-khen-ban-chi-dao-tinh",
        name="Giấy khen của Ban Chỉ đạo tỉnh",
        level="province",
        recipients="both",
    )
    drive = services.drive_create(
        actor=chief,
        unit=commune,
        title="Thi đua toàn dân bảo vệ ANTQ",
        year=year,
        starts_on=date(year, 1, 1),
        ends_on=date(year, 12, 31),
    )
    from binhyen.awards.models import Review

    review = Review.objects.filter(orgunit=commune, year=year).first() or services.review_open(
        actor=officer, unit=commune, year=year
    )
    proposal_ = services.proposal_create(
        actor=officer,
        unit=commune,
        kind=ProposalKind.ADHOC,
        year=year,
        form=entry("giay-khen-giam-doc-ca-tinh"),
        achievement="Bắt giữ đối tượng trộm cắp tài sản",
    )
    services.nominee_add(
        actor=officer, proposal=proposal_, kind=NomineeKind.VILLAGE, unit=village, name=""
    )
    services.proposal_submit(actor=officer, proposal=proposal_)
    return {
        "award_entry": row,
        "award_drive": drive,
        "award_review": review,
        "award_review_line": review.entries.order_by("id").first(),
        "award_proposal": proposal_,
    }
