"""Demo tips for `make run`: a few citizen tips in Xã Hiệp Hòa, one answered, one unplaced.

Idempotent: the demo tips are recognised by their description, so a second run adds nothing.
Created through the services like real tips (the officer actions as demo users).
"""

from __future__ import annotations

from typing import TextIO

from binhyen.accounts.models import User
from binhyen.orgunits.models import OrgUnit
from binhyen.tips import services
from binhyen.tips.models import Channel, Tip

COMMUNE = "07840"
PROVINCE = "24"
TIPS = [
    (
        "crime",
        "trom_cap",
        "Đêm qua có người lạ đi xe máy không biển số dò xét các nhà ở thôn Cấm, hai nhà bị mất gà.",
        f"{COMMUNE}-T001",
        "",
    ),
    (
        "feedback",
        "trat_tu_cong_cong",
        "Quán karaoke đầu thôn Khánh mở nhạc to quá 23 giờ nhiều đêm liền.",
        f"{COMMUNE}-T002",
        "",
    ),
    (
        "crime",
        "lua_dao",
        "Có người gọi điện xưng công an yêu cầu chuyển tiền để 'xác minh tài khoản'.",
        "",
        PROVINCE,
    ),
]


def load(stdout: TextIO) -> dict[str, int]:
    if not OrgUnit.objects.filter(code=COMMUNE).exists():
        return {}
    created = 0
    officer = User.objects.filter(username="demo_canbo").first()
    for kind, category, text, village, province in TIPS:
        if Tip.objects.filter(description=text).exists():
            continue
        village_exists = bool(village) and OrgUnit.objects.filter(code=village).exists()
        submitted = services.tip_submit(
            actor=None,
            data=services.TipInput(
                kind=kind,
                category_code=category,
                description=text,
                commune_code=COMMUNE if village else "",
                village_code=village if village_exists else "",
                province_code=province,
                location_unknown=not village,
            ),
            channel=Channel.WEB,
        )
        created += 1
        if officer is not None and kind == "crime" and village:
            tip = services.tip_verify_start(actor=officer, tip=submitted.tip)
            services.tip_reply(
                actor=officer,
                tip=tip,
                body="Công an xã đã tiếp nhận và tăng cường tuần tra ban đêm ở thôn Cấm.",
            )
    if created:
        stdout.write(f"Demo tips: {created} created.")
    return {"tips": created}
