"""Demo activity log of Xã Hiệp Hòa (07840) for the second half of 2025.

The figures follow the seed article about Công an xã Yên Thượng: "26 lượt tuyên truyền …
tại 10 thôn", "giao nộp được 7 khẩu súng các loại, 72 viên đạn", "lắp đặt 2 camera giám
sát", "5/10 thôn được đầu tư hệ thống điện thắp sáng", plus a few patrols, a mediation and
a media post. Idempotent: an activity is looked up by (unit, date, kind, title) first;
everything is written through the services with the commune officer as the actor.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from django.db import transaction

from binhyen.accounts.models import User
from binhyen.activities.models import (
    Activity,
    ActivityKind,
    CameraOwnership,
    MediaChannel,
    WeaponKind,
)
from binhyen.activities.services import ActivityInput, ItemInput, activity_create
from binhyen.orgunits.models import OrgUnit, UnitKind

COMMUNE_CODE = "07840"
TOPICS = [
    "Phòng, chống ma túy",
    "Phòng, chống lừa đảo trên không gian mạng",
    "Phòng cháy, chữa cháy",
    "An toàn giao thông",
    "Giao nộp vũ khí, vật liệu nổ, pháo",
]


def _inputs(commune: OrgUnit, villages: list[OrgUnit]) -> list[ActivityInput]:
    reached = villages[:10]
    inputs = []
    for i in range(26):
        village = reached[i % 10]
        inputs.append(
            ActivityInput(
                kind=ActivityKind.OUTREACH,
                unit=commune,
                date=date(2025, 7 + i % 6, 2 + i),
                title=f"Tuyên truyền tại {village.name}",
                topic=TOPICS[i % len(TOPICS)],
                place=f"Nhà văn hóa {village.name}",
                participants=40 + (i * 7) % 60,
                leaflets=50 + (i * 13) % 100,
                posters=i % 3,
                villages=[village],
            )
        )
    inputs += [
        ActivityInput(
            kind=ActivityKind.WEAPONS_SURRENDER,
            unit=commune,
            date=date(2025, 8, 20),
            title="Tiếp nhận vũ khí, vật liệu nổ người dân giao nộp",
            items=[
                ItemInput(WeaponKind.FIREARM, 4, "súng kíp, súng hơi"),
                ItemInput(WeaponKind.AMMUNITION, 50),
            ],
        ),
        ActivityInput(
            kind=ActivityKind.WEAPONS_SURRENDER,
            unit=villages[2],
            date=date(2025, 11, 5),
            title="Vận động giao nộp vũ khí tại thôn",
            items=[ItemInput(WeaponKind.FIREARM, 3), ItemInput(WeaponKind.AMMUNITION, 22)],
        ),
        ActivityInput(
            kind=ActivityKind.CAMERA,
            unit=commune,
            date=date(2025, 9, 12),
            title="Lắp camera giám sát ngã ba trung tâm xã",
            place="Ngã ba trung tâm xã",
            cameras=2,
            camera_ownership=CameraOwnership.PUBLIC,
            latitude=21.3521,
            longitude=105.9603,
        ),
        ActivityInput(
            kind=ActivityKind.LIGHTING,
            unit=commune,
            date=date(2025, 10, 1),
            title="Thắp sáng đường quê",
            light_points=60,
            lit_km=Decimal("4.2"),
            villages=villages[:5],
        ),
        ActivityInput(
            kind=ActivityKind.MEDIA_POST,
            unit=commune,
            date=date(2025, 10, 15),
            title="Cảnh báo thủ đoạn lừa đảo qua mạng",
            channel=MediaChannel.ZALO_GROUP,
            posts=13,
        ),
        ActivityInput(
            kind=ActivityKind.MEDIATION,
            unit=villages[0],
            date=date(2025, 11, 20),
            title="Hòa giải tranh chấp đất đai",
            cases_resolved=2,
        ),
        ActivityInput(
            kind=ActivityKind.PATROL,
            unit=villages[0],
            date=date(2025, 12, 24),
            title="Tuần tra đêm Giáng sinh",
            participants=8,
        ),
    ]
    return inputs


def load(stdout: TextIO | Any = None) -> dict[str, int]:
    """Create the demo activities; return counts of what was created."""
    counts = {"activities": 0}
    commune = OrgUnit.objects.filter(code=COMMUNE_CODE).first()
    officer = User.objects.filter(username="demo_canbo").first()
    if commune is None or officer is None:
        return counts
    villages = list(
        OrgUnit.objects.filter(
            parent=commune, kind=UnitKind.VILLAGE, valid_to__isnull=True
        ).order_by("code")
    )
    if len(villages) < 10:
        return counts
    with transaction.atomic():
        for data in _inputs(commune, villages):
            exists = Activity.objects.filter(
                orgunit=data.unit, date=data.date, kind=data.kind, title=data.title
            ).exists()
            if not exists:
                activity_create(actor=officer, data=data)
                counts["activities"] += 1
    return counts
