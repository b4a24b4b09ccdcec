"""Demo tips for `make run`: citizen tips in Xã Hiệp Hòa in every state of the inbox — new,
being verified (answered), resolved (a valuable one), unfounded, a duplicate, passed on to
another body — and one with no place given, at the province.

Idempotent: the demo tips are recognised by their description, so a second run adds nothing.
Created through the services like real tips (the officer actions as demo users).
"""

from __future__ import annotations

from typing import TextIO

from binhyen.accounts.models import User
from binhyen.orgunits.models import OrgUnit
from binhyen.tips import services
from binhyen.tips.models import Channel, Status, Tip

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
# Tips an officer has already finished with: (kind, category, text, village, path, outcome).
HANDLED = [
    (
        "crime",
        "ma_tuy",
        "Nhóm thanh niên tụ tập ở bãi đất trống cuối thôn Tứ, nghi sử dụng ma túy.",
        f"{COMMUNE}-T003",
        "resolved",
        "Đã kiểm tra, lập biên bản 3 đối tượng, chuyển Công an tỉnh xử lý. Tin có giá trị.",
    ),
    (
        "feedback",
        "chay_no",
        "Có người đốt rơm rạ gây khói dọc đường liên thôn Giữa.",
        f"{COMMUNE}-T004",
        "unfounded",
        "Đã xác minh: đốt rơm theo mùa vụ, không ảnh hưởng an ninh trật tự; đã nhắc nhở.",
    ),
    (
        "feedback",
        "trat_tu_cong_cong",
        "Quán karaoke thôn Khánh vẫn mở nhạc to sau 23 giờ.",
        f"{COMMUNE}-T002",
        "duplicate",
        "",
    ),
    (
        "crime",
        "toi_pham_khac",
        "Xưởng tái chế nhựa ở thôn Đông xả nước thải ra mương tưới.",
        f"{COMMUNE}-T005",
        "transferred",
        "Chuyển Phòng Tài nguyên và Môi trường xử lý theo thẩm quyền.",
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
    if officer is not None:
        created += _handled(officer)
    if created:
        stdout.write(f"Demo tips: {created} created.")
    return {"tips": created}


def _handled(officer: User) -> int:
    """Tips already concluded, each through the officer's own action."""
    created = 0
    for kind, category, text, village, path, outcome in HANDLED:
        if Tip.objects.filter(description=text).exists():
            continue
        if not OrgUnit.objects.filter(code=village).exists():
            continue
        tip = services.tip_submit(
            actor=None,
            data=services.TipInput(
                kind=kind,
                category_code=category,
                description=text,
                commune_code=COMMUNE,
                village_code=village,
            ),
            channel=Channel.WEB,
        ).tip
        created += 1
        tip = services.tip_verify_start(actor=officer, tip=tip)
        if path == "duplicate":
            original = Tip.objects.filter(description=TIPS[1][2]).first()
            if original is not None:
                services.tip_merge(actor=officer, tip=tip, into=original)
        elif path == "transferred":
            services.tip_transfer(
                actor=officer, tip=tip, reason=outcome, to_body="Phòng Tài nguyên và Môi trường"
            )
        else:
            if path == Status.RESOLVED:
                tip = services.tip_mark_valuable(actor=officer, tip=tip, valuable=True)
            services.tip_conclude(actor=officer, tip=tip, status=path, outcome=outcome)
    return created
