"""Demo activity log of Xã Hiệp Hòa (07840) for the second half of 2025.

The figures follow the seed article about Công an xã Yên Thượng: "26 lượt tuyên truyền …
tại 10 thôn", "giao nộp được 7 khẩu súng các loại, 72 viên đạn", "lắp đặt 2 camera giám
sát", "5/10 thôn được đầu tư hệ thống điện thắp sáng", plus a few patrols, a mediation and
a media post. Idempotent: an activity is looked up by (unit, date, kind, title) first;
everything is written through the services with the commune officer as the actor.
"""

from __future__ import annotations

import random
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
    SurrenderedItem,
    WeaponKind,
)
from binhyen.activities.services import (
    ActivityInput,
    ItemInput,
    Touched,
    activities_metrics_sync,
    activity_create,
)
from binhyen.core.services import audit_event_record
from binhyen.indicators.demo import demo_months
from binhyen.orgunits import demo as base_demo
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


def load(stdout: TextIO | Any = None, *, today: Any = None) -> dict[str, int]:
    """Create the demo activities and their history; return counts of what was created."""
    counts = {"activities": _load_seed(), "history_activities": 0}
    counts["history_activities"] = load_history(stdout, today=today)
    return counts


def _load_seed() -> int:
    counts = {"activities": 0}
    commune = OrgUnit.objects.filter(code=COMMUNE_CODE).first()
    officer = User.objects.filter(username="demo_canbo").first()
    if commune is None or officer is None:
        return 0
    villages = list(
        OrgUnit.objects.filter(
            parent=commune, kind=UnitKind.VILLAGE, valid_to__isnull=True
        ).order_by("code")
    )
    if len(villages) < 10:
        return 0
    with transaction.atomic():
        for data in _inputs(commune, villages):
            exists = Activity.objects.filter(
                orgunit=data.unit, date=data.date, kind=data.kind, title=data.title
            ).exists()
            if not exists:
                activity_create(actor=officer, data=data)
                counts["activities"] += 1
    return counts["activities"]


# --- 24 months of the movement in every commune of the demo province ----------------------

DEMO_NOTE = "Dữ liệu minh họa."
# The seed article's half-year stays as the article tells it.
SEED_HALF = (date(2025, 7, 1), date(2025, 12, 31))
TET_MONTHS = (1, 2)


def _rng(*parts: Any) -> random.Random:
    return random.Random(":".join(str(p) for p in parts))  # noqa: S311 (made-up figures)


def _draws(rng: random.Random, mean: float) -> int:
    """A small made-up count around ``mean`` (0 is common, as in a real commune's month)."""
    return sum(1 for _ in range(int(mean * 3) + 1) if rng.random() < mean / (int(mean * 3) + 1))


def _history_rows(
    commune: OrgUnit, villages: list[OrgUnit], month: Any, officer: User | None
) -> list[tuple[Activity, list[OrgUnit], list[tuple[str, int]]]]:
    """The made-up activities of one commune in one month: (activity, villages, items)."""
    rng = _rng(commune.code, month.code, "activities")
    days = (month.end - month.start).days + 1
    tet = month.start.month in TET_MONTHS
    rows: list[tuple[Activity, list[OrgUnit], list[tuple[str, int]]]] = []

    def add(
        kind: str, title: str, reached: list[OrgUnit] | None = None, items: Any = (), **f: Any
    ) -> None:
        day = month.start.toordinal() + rng.randrange(days)
        activity = Activity(
            kind=kind,
            orgunit=commune,
            date=date.fromordinal(day),
            title=title,
            description=DEMO_NOTE,
            recorded_by=officer,
            **f,
        )
        rows.append((activity, reached or [], list(items)))

    for _ in range(_draws(rng, 1.6)):
        reached = rng.sample(villages, min(len(villages), rng.randint(1, 2))) if villages else []
        where = reached[0].name if reached else commune.name
        add(
            ActivityKind.OUTREACH,
            f"Tuyên truyền tại {where}",
            reached,
            topic=rng.choice(TOPICS),
            place=f"Nhà văn hóa {where}",
            participants=rng.randint(30, 120),
            leaflets=rng.randrange(0, 160, 10),
            posters=rng.randint(0, 3),
            bulletin_boards=int(rng.random() < 0.2),
        )
    for _ in range(_draws(rng, 0.8)):
        add(
            ActivityKind.MEDIA_POST,
            "Tin tuyên truyền phòng, chống tội phạm",
            channel=rng.choice(list(MediaChannel.values)),
            posts=rng.randint(1, 5),
        )
    if rng.random() < (0.45 if tet else 0.15):
        items = [
            (WeaponKind.AMMUNITION, rng.randint(0, 20)),
            (WeaponKind.FIREARM, rng.randint(0, 2)),
        ]
        if tet:
            items.append((WeaponKind.FIRECRACKER, rng.randint(1, 15)))
        if rng.random() < 0.3:
            items.append((WeaponKind.SUPPORT_TOOL, rng.randint(1, 3)))
        items = [(k, q) for k, q in items if q]
        if items:
            add(
                ActivityKind.WEAPONS_SURRENDER,
                "Tiếp nhận vũ khí, pháo người dân giao nộp",
                items=items,
            )
    if rng.random() < 0.15:
        add(
            ActivityKind.CAMERA,
            "Lắp camera giám sát an ninh",
            cameras=rng.randint(1, 4),
            camera_ownership=rng.choice(list(CameraOwnership.values)),
        )
    if rng.random() < 0.06:
        reached = rng.sample(villages, min(len(villages), rng.randint(1, 3))) if villages else []
        add(
            ActivityKind.LIGHTING,
            "Thắp sáng đường quê",
            reached,
            light_points=rng.randint(5, 40),
            lit_km=Decimal(rng.randint(5, 30)) / 10,
        )
    for _ in range(_draws(rng, 0.5)):
        add(ActivityKind.MEDIATION, "Hòa giải mâu thuẫn ở cơ sở", cases_resolved=rng.randint(1, 2))
    for _ in range(_draws(rng, 2.0)):
        add(ActivityKind.PATROL, "Tuần tra đêm", participants=rng.randint(4, 12))
    if rng.random() < 0.2:
        add(
            ActivityKind.TRAINING,
            "Tập huấn nghiệp vụ cho lực lượng cơ sở",
            participants=rng.randint(10, 40),
        )
    if rng.random() < 0.15:
        add(ActivityKind.VOLUNTEER, "Ra quân vệ sinh đường làng", participants=rng.randint(10, 50))
    return rows


def load_history(stdout: TextIO | Any = None, *, today: Any = None) -> int:
    """Create 24 months of made-up activities in every commune of the demo province (once),
    marked "Dữ liệu minh họa.", and publish their figures; return how many were created."""
    province = OrgUnit.objects.filter(code=base_demo.PROVINCE_CODE).first()
    officer = User.objects.filter(username="demo_canbo").first()
    if province is None or officer is None:
        return 0
    communes = list(
        OrgUnit.objects.filter(
            path__startswith=province.path, kind=UnitKind.COMMUNE, valid_to__isnull=True
        ).order_by("code")
    )
    done = set(
        Activity.objects.filter(orgunit__in=communes, description=DEMO_NOTE).values_list(
            "orgunit_id", flat=True
        )
    )
    villages: dict[int, list[OrgUnit]] = {}
    for village in OrgUnit.objects.filter(
        parent__in=communes, kind=UnitKind.VILLAGE, valid_to__isnull=True
    ).order_by("code"):
        villages.setdefault(village.parent_id or 0, []).append(village)
    months = demo_months(today)
    rows = []
    for commune in communes:
        if commune.pk in done:
            continue
        for month in months:
            if commune.valid_from and month.start < commune.valid_from:
                continue  # records happen on the units of their date
            if commune.code == COMMUNE_CODE and (
                month.end >= SEED_HALF[0] and month.start <= SEED_HALF[1]
            ):
                continue
            recorder = officer if commune.code == COMMUNE_CODE else None
            rows += _history_rows(commune, villages.get(commune.pk, []), month, recorder)
    if not rows:
        return 0
    with transaction.atomic():
        created = Activity.objects.bulk_create([a for a, _v, _i in rows], batch_size=2000)
        links = Activity.villages.through
        links.objects.bulk_create(
            [links(activity_id=a.pk, orgunit_id=v.pk) for a, vs, _i in rows for v in vs],
            batch_size=2000,
        )
        SurrenderedItem.objects.bulk_create(
            [
                SurrenderedItem(activity=a, item_kind=kind, quantity=quantity)
                for a, _v, items in rows
                for kind, quantity in items
            ],
            batch_size=2000,
        )
        kinds = {a.kind for a in created}
        activities_metrics_sync(
            actor=officer,
            touched=[Touched(kind, month.start, None) for kind in kinds for month in months],
        )
        audit_event_record(
            actor=officer,
            action="demo.activities_load",
            obj=province,
            orgunit=province,
            after={"activities": len(created), "months": [months[0].code, months[-1].code]},
        )
    if stdout is not None:
        stdout.write(f"Demo activities over {len(months)} months: {len(created)} created.\n")
    return len(created)
