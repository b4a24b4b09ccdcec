"""The seed articles as history across the 2025 reform (acceptance scenario).

Five pieces of movement history, each on units that closed on 30/06/2025, are recorded the way
a province officer of today's province records them: through the API and the pages, with
the real pre-2025 codes and their real 2025 successors (a faithful slice of the national map:
Bắc Giang → Bắc Ninh, Bắc Kạn → Thái Nguyên, Nghệ An, Ninh Bình). Every figure is then read
through what users read (the analytics API, the dashboards, the lists filtered by the old
and the new unit, the programme and hotspot pages), at the old unit for periods before the
reform and rolled into the 2025 commune and province, each thing counted once.

- Xã Lương Phong (Hiệp Hòa, Bắc Giang): 13 thôn, 18.858 people, 4.300 households, 850
  leaflets, 58 posts, 13 village and 3 school self-management schemes, 1 border cluster.
- Xã Yên Thượng (Chợ Đồn, Bắc Kạn), 2021: 26 outreach sessions in 10 villages, 7 guns and 72
  rounds surrendered, 2 cameras, 10/10 villages pledged, 5/10 villages lit.
- Phường Phùng Chí Kiên (Bắc Kạn city), 2021: 12 self-managing groups, 12 mediation groups,
  10 "An ninh măng non" teams, "Hộ an toàn" in 12/12 residential groups.
- Phường Hà Huy Tập (Vinh, Nghệ An), 2024: 22/22 criteria, 6.147 households, 26.836
  permanent residents, 20 khối, crimes −10 % year on year, 16 officers.
- Tỉnh Ninh Bình: 27 hotspot communes, 16 removed (59,3 %).
"""

from __future__ import annotations

import io
import json
import re
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import login_verified, user_with_role
from binhyen.indicators.models import Metric
from binhyen.indicators.services import provider_values_sync
from binhyen.orgunits.models import Lineage, LineageKind, OrgUnit, Subkind, UnitKind
from binhyen.orgunits.tests.factories import (
    CommuneFactory,
    EstablishmentFactory,
    OrgUnitFactory,
    ProvinceFactory,
    VillageFactory,
)
from binhyen.orgunits.tests.test_api_import import bearer
from binhyen.programs import services as program_services
from binhyen.programs.tests import factories as pf

pytestmark = pytest.mark.django_db

LAST_DAY = date(2025, 6, 30)
FIRST_DAY = date(2025, 7, 1)

# Ninh Bình: 27 pre-2025 communes of Huyện Nho Quan and Thành phố Tam Điệp with their real
# 2025 successors (old code, old name, successor code, successor name).
NINH_BINH = {
    ("L372", "Huyện Nho Quan"): [
        ("14386", "Xã Xích Thổ", "14389", "Xã Gia Lâm"),
        ("14389", "Xã Gia Lâm", "14389", "Xã Gia Lâm"),
        ("14392", "Xã Gia Sơn", "14389", "Xã Gia Lâm"),
        ("14395", "Xã Thạch Bình", "14407", "Xã Phú Sơn"),
        ("14398", "Xã Gia Thủy", "14401", "Xã Gia Tường"),
        ("14401", "Xã Gia Tường", "14401", "Xã Gia Tường"),
        ("14404", "Xã Cúc Phương", "14404", "Xã Cúc Phương"),
        ("14407", "Xã Phú Sơn", "14407", "Xã Phú Sơn"),
        ("14410", "Xã Đức Long", "14401", "Xã Gia Tường"),
        ("14413", "Xã Lạc Vân", "14407", "Xã Phú Sơn"),
        ("14416", "Xã Đồng Phong", "14428", "Xã Nho Quan"),
        ("14419", "Xã Yên Quang", "14428", "Xã Nho Quan"),
        ("14425", "Xã Thượng Hòa", "14434", "Xã Thanh Sơn"),
        ("14428", "Thị trấn Nho Quan", "14428", "Xã Nho Quan"),
        ("14431", "Xã Văn Phương", "14404", "Xã Cúc Phương"),
        ("14434", "Xã Thanh Sơn", "14434", "Xã Thanh Sơn"),
        ("14437", "Xã Phúc Sơn", "14533", "Phường Tây Hoa Lư"),
        ("14443", "Xã Văn Phú", "14434", "Xã Thanh Sơn"),
        ("14446", "Xã Phú Lộc", "14452", "Xã Quỳnh Lưu"),
        ("14449", "Xã Kỳ Phú", "14458", "Xã Phú Long"),
        ("14452", "Xã Quỳnh Lưu", "14452", "Xã Quỳnh Lưu"),
        ("14458", "Xã Phú Long", "14458", "Xã Phú Long"),
        ("14461", "Xã Quảng Lạc", "14371", "Phường Yên Sơn"),
    ],
    ("L370", "Thành phố Tam Điệp"): [
        ("14362", "Phường Bắc Sơn", "14362", "Phường Tam Điệp"),
        ("14369", "Phường Tây Sơn", "14362", "Phường Tam Điệp"),
        ("14377", "Xã Quang Sơn", "14362", "Phường Tam Điệp"),
        ("14380", "Xã Đông Sơn", "14365", "Phường Trung Sơn"),
    ],
}


# --- the map ------------------------------------------------------------------------------


def _subkind(name: str) -> str:
    if name.startswith("Phường"):
        return Subkind.PHUONG
    if name.startswith("Thị trấn"):
        return Subkind.THI_TRAN
    return Subkind.XA


def _merge(old: OrgUnit, new: OrgUnit) -> None:
    Lineage.objects.create(
        predecessor=old,
        successor=new,
        kind=LineageKind.MERGE,
        is_default=True,
        effective_date=FIRST_DAY,
    )


def _new_commune(province: OrgUnit, code: str, name: str) -> OrgUnit:
    found = OrgUnit.objects.filter(code=code).first()
    if found:
        return found
    made: Any = CommuneFactory(
        code=code,
        official_code=code,
        name=name,
        subkind=_subkind(name),
        parent=province,
        valid_from=FIRST_DAY,
    )
    return made


def _old(code: str, name: str, parent: OrgUnit, kind: str = UnitKind.COMMUNE, **extra) -> OrgUnit:
    made: Any = OrgUnitFactory(
        code=code,
        official_code=code[1:],
        name=name,
        kind=kind,
        subkind=extra.pop("subkind", _subkind(name)),
        parent=parent,
        valid_to=LAST_DAY,
        **extra,
    )
    return made


def _old_province(code: str, name: str, successor: OrgUnit) -> OrgUnit:
    unit: Any = ProvinceFactory(code=code, official_code=code[1:], name=name, valid_to=LAST_DAY)
    _merge(unit, successor)
    return unit


def _district(code: str, name: str, province: OrgUnit, subkind: str) -> OrgUnit:
    return _old(code, name, province, kind=UnitKind.DISTRICT, subkind=subkind)


def _villages(commune: OrgUnit, former: OrgUnit, names: list[str], subkind=Subkind.THON):
    return [
        VillageFactory(
            code=f"{commune.code}-{former.code}-{n:02d}",
            name=name,
            subkind=subkind,
            parent=commune,
            former_parent=former,
        )
        for n, name in enumerate(names, start=1)
    ]


@pytest.fixture
def m():
    """The slice of the national map the seeds need (real codes and successors)."""
    s = SimpleNamespace()
    # Bắc Giang → Bắc Ninh: Lương Phong, Đoan Bái and Danh Thắng merged into Xã Hiệp Hòa
    s.bac_ninh = ProvinceFactory(code="24", official_code="24", name="Tỉnh Bắc Ninh")
    s.hiep_hoa = _new_commune(s.bac_ninh, "07840", "Xã Hiệp Hòa")
    s.bac_giang = _old_province("L24", "Tỉnh Bắc Giang", s.bac_ninh)
    hiep_hoa_district = _district("L223", "Huyện Hiệp Hòa", s.bac_giang, Subkind.HUYEN)
    s.luong_phong = _old("L07846", "Xã Lương Phong", hiep_hoa_district)
    s.doan_bai = _old("L07867", "Xã Đoan Bái", hiep_hoa_district)
    s.danh_thang = _old("L07861", "Xã Danh Thắng", hiep_hoa_district)
    for old in (s.luong_phong, s.doan_bai, s.danh_thang):
        _merge(old, s.hiep_hoa)
    s.lp_villages = _villages(
        s.hiep_hoa,
        s.luong_phong,
        ["Thôn Cấm", "Thôn Khánh", "Thôn Tứ", "Thôn Giữa", "Thôn Đông", "Thôn Chớp", "Thôn Chùa"]
        + ["Thôn Vân An"]
        + [f"Thôn Sơn Quả {n}" for n in range(1, 6)],
    )
    s.lp_schools = [
        EstablishmentFactory(
            code=f"07840-LP-E{n}", name=name, parent=s.hiep_hoa, former_parent=s.luong_phong
        )
        for n, name in enumerate(
            [
                "Trường THCS Lương Phong",
                "Trường Tiểu học Lương Phong",
                "Trường Mầm non Lương Phong",
            ],
            start=1,
        )
    ]
    # Bắc Kạn → Thái Nguyên: Yên Thượng → Xã Yên Thịnh; Phùng Chí Kiên → Phường Bắc Kạn
    s.thai_nguyen = ProvinceFactory(code="19", official_code="19", name="Tỉnh Thái Nguyên")
    s.yen_thinh = _new_commune(s.thai_nguyen, "02044", "Xã Yên Thịnh")
    s.phuong_bac_kan = _new_commune(s.thai_nguyen, "01843", "Phường Bắc Kạn")
    s.bac_kan = _old_province("L06", "Tỉnh Bắc Kạn", s.thai_nguyen)
    cho_don = _district("L064", "Huyện Chợ Đồn", s.bac_kan, Subkind.HUYEN)
    bac_kan_city = _district("L058", "Thành phố Bắc Kạn", s.bac_kan, Subkind.THANH_PHO_THUOC_TINH)
    s.yen_thuong = _old("L02047", "Xã Yên Thượng", cho_don)
    s.phung_chi_kien = _old("L01843", "Phường Phùng Chí Kiên", bac_kan_city)
    _merge(s.yen_thuong, s.yen_thinh)
    _merge(s.phung_chi_kien, s.phuong_bac_kan)
    s.yt_villages = _villages(
        s.yen_thinh,
        s.yen_thuong,
        ["Thôn Nà Cà", "Thôn Bản Liên", "Thôn Nà Mền", "Thôn Bản Bây"]
        + [f"Thôn Yên Thượng {n}" for n in range(5, 11)],
    )
    s.pck_groups = _villages(
        s.phuong_bac_kan,
        s.phung_chi_kien,
        [f"Tổ dân phố {n} Phùng Chí Kiên" for n in range(1, 13)],
        subkind=Subkind.TO_DAN_PHO,
    )
    # Nghệ An: Hà Huy Tập (Vinh) → Phường Vinh Phú
    s.nghe_an = ProvinceFactory(code="40", official_code="40", name="Tỉnh Nghệ An")
    s.vinh_phu = _new_commune(s.nghe_an, "16702", "Phường Vinh Phú")
    s.nghe_an_old = _old_province("L40", "Tỉnh Nghệ An", s.nghe_an)
    vinh = _district("L412", "Thành phố Vinh", s.nghe_an_old, Subkind.THANH_PHO_THUOC_TINH)
    s.ha_huy_tap = _old("L16666", "Phường Hà Huy Tập", vinh)
    _merge(s.ha_huy_tap, s.vinh_phu)
    s.hht_blocks = _villages(
        s.vinh_phu, s.ha_huy_tap, [f"Khối {n} Hà Huy Tập" for n in range(1, 21)], Subkind.KHOI
    )
    # Ninh Bình: 27 old communes and their successors
    s.ninh_binh = ProvinceFactory(code="37", official_code="37", name="Tỉnh Ninh Bình")
    s.ninh_binh_old = _old_province("L37", "Tỉnh Ninh Bình", s.ninh_binh)
    s.nb_communes = []
    for (district_code, district_name), rows in NINH_BINH.items():
        subkind = (
            Subkind.HUYEN if district_name.startswith("Huyện") else Subkind.THANH_PHO_THUOC_TINH
        )
        district = _district(district_code, district_name, s.ninh_binh_old, subkind)
        for old_code, old_name, new_code, new_name in rows:
            old = _old(f"L{old_code}", old_name, district)
            _merge(old, _new_commune(s.ninh_binh, new_code, new_name))
            s.nb_communes.append(old)
    # today's officers
    s.bn_officer = user_with_role(Role.PROVINCE_OFFICER, s.bac_ninh, username="bacninh")
    s.tn_officer = user_with_role(Role.PROVINCE_OFFICER, s.thai_nguyen, username="thainguyen")
    s.na_officer = user_with_role(Role.PROVINCE_OFFICER, s.nghe_an, username="nghean")
    s.nb_officer = user_with_role(Role.PROVINCE_OFFICER, s.ninh_binh, username="ninhbinh")
    s.ward_officer = user_with_role(Role.COMMUNE_OFFICER, s.vinh_phu, username="vinhphu")
    return s


# --- reading and writing as users do --------------------------------------------------------


class Worker:
    """The task worker as deployed: a re-sync queued while the same one is pending is not
    queued again (one per metric and period), and the worker has caught up before anyone
    reads."""

    def __init__(self) -> None:
        self.pending: set[tuple[str, str]] = set()

    def enqueue(self, *, metrics, period_codes) -> int:
        before = len(self.pending)
        self.pending |= {(metric.code, period) for metric in metrics for period in period_codes}
        return len(self.pending) - before

    def catch_up(self) -> None:
        for code, period in sorted(self.pending):
            _sync(code, period)
        self.pending.clear()


@pytest.fixture(autouse=True)
def worker(monkeypatch):
    """Re-syncs of older periods go to the coalescing worker above."""
    from binhyen.activities import services as activities
    from binhyen.indicators import tasks
    from binhyen.tips.services import metrics as tips

    queue = Worker()
    # (community and hotspots go through ``tasks.provider_resync_after_commit``; the apps
    # that bound the name at import time are patched too)
    for module in (tasks, activities, tips):
        monkeypatch.setattr(module, "provider_resync_enqueue", queue.enqueue)
    monkeypatch.setattr(Api, "worker", queue)
    return queue


class Api:
    """One user's bearer-token calls to /api/v1 (JSON); work queued after commit runs, as
    the worker would run it (re-syncs through ``Worker``, before the next read)."""

    worker: Worker | None = None

    def __init__(self, client, user, capture) -> None:
        self.client = client
        self.headers = bearer(user)
        self.capture = capture

    def post(self, path: str, body: dict[str, Any], status: int = 201) -> Any:
        with self.capture(execute=True):
            response = self.client.post(
                "/api/v1" + path, json.dumps(body), content_type="application/json", **self.headers
            )
        assert response.status_code == status, (path, response.content.decode())
        return response.json()

    def get(self, path: str, **params: Any) -> Any:
        if self.worker is not None:
            self.worker.catch_up()
        response = self.client.get("/api/v1" + path, params, **self.headers)
        assert response.status_code == 200, (path, response.content.decode())
        return response.json()

    def figures(self, metrics: list[str], units: list[OrgUnit], period: str, **extra) -> dict:
        """Analytics as the dashboards read it: {(metric, unit code, option): value}."""
        body = self.get(
            "/analytics",
            metrics=",".join(metrics),
            units=",".join(u.code for u in units),
            periods=period,
            compare=extra.pop("compare", False),
            **extra,
        )
        return {(r["metric"], r["unit"], r["option"]): r["value"] for r in body["rows"]}

    def count(self, path: str, unit: OrgUnit, **params: Any) -> int:
        return int(self.get(path, unit=unit.code, limit=200, **params)["count"])


def _types(api: Api) -> dict[str, int]:
    return {t["code"]: t["id"] for t in api.get("/community/scheme-types")}


def _scheme(api: Api, types, code: str, name: str, units, founded: str, lead="police") -> dict:
    return api.post(
        "/community/schemes",
        {
            "scheme_type": types[code],
            "name": name,
            "units": [u.code for u in units],
            "lead_org_kind": lead,
            "founded_on": founded,
        },
    )


def _sync(code: str, *periods: str) -> None:
    """The scheduled provider sync of a metric for past periods (what the nightly job does)."""
    metric = Metric.objects.get(code=code)
    for period in periods:
        provider_values_sync(actor=None, metric=metric, period_code=period)


HEADER = ["Mã đơn vị", "Tên đơn vị", "Mã chỉ tiêu", "Kỳ", "Phân tổ", "Giá trị"]


def _xlsx(rows: list[list[Any]]) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [HEADER, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("lich-su.xlsx", buffer.getvalue())


def _import(client, api: Api, province: OrgUnit, source: OrgUnit, rows) -> dict:
    with api.capture(execute=True):
        answer = client.post(
            f"/api/v1/indicators/history/{province.code}/imports",
            {"source": source.code, "file": _xlsx(rows)},
            **api.headers,
        )
    assert answer.status_code == 202, answer.content.decode()
    return api.get(f"/indicators/history-imports/{answer.json()['id']}")


def _card(html: str, code: str) -> list[str]:
    match = re.search(rf'data-testid="card-{re.escape(code)}">(.*?)</div>', html, re.S)
    assert match, code
    return re.sub(r"<[^>]+>", " ", match.group(1)).split()


# --- the scenario ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seed", ["luong_phong", "yen_thuong", "phung_chi_kien", "ha_huy_tap", "ninh_binh"]
)
def test_seed_scenario(client, m, seed, settings, django_capture_on_commit_callbacks):
    # the province's dashboard shows the movement's figures of the seeds
    settings.INDICATORS_DASHBOARD_METRICS = [
        "outreach_sessions",
        "leaflets",
        "media_posts",
        "weapons_surrendered",
        "cameras_installed",
        "crimes",
        "officers",
    ]
    m.capture = django_capture_on_commit_callbacks
    SEEDS[seed](client, m)


def _luong_phong(client, m) -> None:
    api = Api(client, m.bn_officer, m.capture)
    # Given Bắc Ninh's officer imports Lương Phong's 2024 population and households
    job = _import(
        client,
        api,
        m.bac_ninh,
        m.bac_giang,
        [
            ["L07846", "", "population", "2024", "", 18858],
            ["L07846", "", "households", "2024", "", 4300],
        ],
    )
    assert job["status"] == "done", job
    # And records the 2024 outreach (850 leaflets) and the Facebook page's 58 posts
    api.post(
        "/activities",
        {
            "kind": "outreach",
            "unit": m.luong_phong.code,
            "date": "2024-04-12",
            "topic": "Phòng chống tội phạm và tệ nạn xã hội",
            "leaflets": 850,
            "villages": [v.code for v in m.lp_villages],
        },
    )
    api.post(
        "/activities",
        {
            "kind": "media_post",
            "unit": m.luong_phong.code,
            "date": "2024-06-28",
            "title": "Trang Facebook Công an xã Lương Phong",
            "channel": "facebook_page",
            "posts": 58,
        },
    )
    # And the schemes: 13 village groups led by veterans, 3 school groups, 1 border cluster
    # over Lương Phong and its neighbours that merged into the same 2025 commune
    types = _types(api)
    for village in m.lp_villages:
        _scheme(
            api,
            types,
            "to_tu_quan",
            f"Tổ tự quản về ANTT {village.name}",
            [village],
            "2022-03-07",
            lead="veterans",
        )
    for school in m.lp_schools:
        _scheme(api, types, "to_tu_quan", f"Tổ tự quản {school.name}", [school], "2022-09-05")
    cluster = _scheme(
        api,
        types,
        "cum_giap_ranh",
        "Cụm giáp ranh Lương Phong – Đoan Bái – Danh Thắng",
        [m.luong_phong, m.doan_bai, m.danh_thang],
        "2022-05-10",
    )
    _sync("villages", "2024M12")

    # Then each figure is at Lương Phong (2024) and once at Xã Hiệp Hòa and Bắc Ninh
    at = [m.luong_phong, m.hiep_hoa, m.bac_ninh, m.bac_giang]
    year = api.figures(["population", "households", "leaflets", "media_posts"], at, "2024")
    month = api.figures(["villages", "schemes_active"], at, "2024M12")
    for unit in at:
        assert year[("population", unit.code, "")] == 18858, unit
        assert year[("households", unit.code, "")] == 4300, unit
        assert year[("leaflets", unit.code, "")] == 850, unit
        assert year[("media_posts", unit.code, "")] == 58, unit
        assert month[("villages", unit.code, "")] == 13, unit
        # 13 + 3 + 1 schemes; the cluster over three old communes is one scheme
        assert month[("schemes_active", unit.code, "")] == 17, unit
    by_kind = api.figures(["schemes_active"], at, "2024M12", disaggregate=True)
    for unit in at:
        assert by_kind[("schemes_active", unit.code, "to_tu_quan")] == 16
        assert by_kind[("schemes_active", unit.code, "cum_giap_ranh")] == 1
    # the cluster counts once at each of its old communes too
    for old in (m.doan_bai, m.danh_thang):
        assert (
            api.figures(["schemes_active"], [old], "2024M12")[("schemes_active", old.code, "")] == 1
        )
    # And the lists filtered by the old and by the new unit find the same records
    for unit in (m.luong_phong, m.hiep_hoa, m.bac_ninh):
        assert api.count("/activities", unit) == 2, unit
        assert api.count("/community/schemes", unit) == 17, unit
    assert api.count("/community/schemes", m.doan_bai) == 1
    assert cluster["id"] in {
        s["id"] for s in api.get("/community/schemes", unit=m.hiep_hoa.code, limit=200)["items"]
    }
    # And still running after the reform, the schemes count at the successor, once
    after = api.figures(["schemes_active"], [m.hiep_hoa, m.bac_ninh], "2025M09")
    assert after[("schemes_active", m.hiep_hoa.code, "")] == 17
    assert after[("schemes_active", m.bac_ninh.code, "")] == 17
    # And the province dashboard of 2024 shows them
    login_verified(client, m.bn_officer)
    html = client.get(
        reverse("indicators:dashboard", args=[m.bac_ninh.code]), {"period": "2024"}
    ).content.decode()
    assert "850" in _card(html, "leaflets")
    assert "58" in _card(html, "media_posts")
    client.logout()


def _yen_thuong(client, m) -> None:
    api = Api(client, m.tn_officer, m.capture)
    commune, villages = m.yen_thuong, m.yt_villages
    # Given Thái Nguyên's officer records Yên Thượng's second half of 2021:
    # 26 outreach sessions in its 10 villages
    for i in range(26):
        api.post(
            "/activities",
            {
                "kind": "outreach",
                "unit": commune.code,
                "date": date(2021, 7 + i % 6, 1 + i).isoformat(),
                "topic": "Phát động phong trào toàn dân bảo vệ ANTQ",
                "participants": 50,
                "villages": [villages[i % 10].code],
            },
        )
    # 7 guns and 72 rounds surrendered, 2 cameras at two junctions, 5 villages lit
    api.post(
        "/activities",
        {
            "kind": "weapons_surrender",
            "unit": commune.code,
            "date": "2021-11-20",
            "items": [
                {"item_kind": "sung", "quantity": 7},
                {"item_kind": "dan", "quantity": 72},
            ],
        },
    )
    api.post(
        "/activities",
        {
            "kind": "camera",
            "unit": commune.code,
            "date": "2021-12-01",
            "title": "Camera giám sát ngã ba Nà Mền, Bản Bây",
            "cameras": 2,
            "camera_ownership": "public",
            "latitude": 22.16,
            "longitude": 105.6,
        },
    )
    api.post(
        "/activities",
        {
            "kind": "lighting",
            "unit": commune.code,
            "date": "2021-12-10",
            "title": "Thắp sáng đường quê",
            "light_points": 50,
            "lit_km": "4.0",
            "villages": [v.code for v in villages[:5]],
        },
    )
    # and the 10 villages signing the emulation pledge
    for village in villages:
        api.post(
            "/community/pledges",
            {
                "unit": village.code,
                "signer_kind": "village",
                "year": 2021,
                "signed_on": "2021-10-05",
                "signed_by": f"Trưởng {village.name}",
            },
        )
    _sync("villages", "2021M12")

    # Then Yên Thượng, Xã Yên Thịnh, Thái Nguyên and old Bắc Kạn show the seed's figures
    at = [commune, m.yen_thinh, m.thai_nguyen, m.bac_kan]
    year = api.figures(
        ["outreach_sessions", "outreach_villages", "cameras_installed", "lit_villages"], at, "2021"
    )
    weapons = api.figures(["weapons_surrendered"], at, "2021", disaggregate=True)
    month = api.figures(["villages_pledged", "villages"], at, "2021M12")
    for unit in at:
        assert year[("outreach_sessions", unit.code, "")] == 26, unit
        assert year[("outreach_villages", unit.code, "")] == 10, unit
        assert year[("cameras_installed", unit.code, "")] == 2, unit
        assert year[("lit_villages", unit.code, "")] == 5, unit
        assert weapons[("weapons_surrendered", unit.code, "sung")] == 7, unit
        assert weapons[("weapons_surrendered", unit.code, "dan")] == 72, unit
        assert month[("villages_pledged", unit.code, "")] == 10, unit
    # 10/10: the old commune and its successor have ten villages (the province also has the
    # twelve residential groups of Phùng Chí Kiên)
    for unit in (commune, m.yen_thinh):
        assert month[("villages", unit.code, "")] == 10, unit
    assert month[("villages", m.thai_nguyen.code, "")] == 22
    # And the lists by the old and the new commune find the 29 activities, 10 pledges
    for unit in (commune, m.yen_thinh):
        assert api.count("/activities", unit) == 29, unit
        assert api.count("/community/pledges", unit) == 10, unit
    # And the commune dashboard of 2021 at the successor shows them
    login_verified(client, m.tn_officer)
    html = client.get(
        reverse("indicators:dashboard", args=[m.yen_thinh.code]), {"period": "2021"}
    ).content.decode()
    assert "26" in _card(html, "outreach_sessions")
    assert "7" in _card(html, "weapons_surrendered.sung")
    assert "72" in _card(html, "weapons_surrendered.dan")
    client.logout()


def _phung_chi_kien(client, m) -> None:
    api = Api(client, m.tn_officer, m.capture)
    groups = m.pck_groups
    types = _types(api)
    # Given the ward's schemes of October 2021, one in each residential group
    for group in groups:
        _scheme(api, types, "to_tu_quan", f"Tổ tự quản về ANTT {group.name}", [group], "2021-10-01")
        _scheme(api, types, "to_hoa_giai", f"Tổ hòa giải {group.name}", [group], "2021-10-01")
    for group in groups[:10]:
        _scheme(
            api,
            types,
            "an_ninh_mang_non",
            f"Đội An ninh măng non {group.name}",
            [group],
            "2021-10-01",
            lead="youth",
        )
    # and "Hộ an toàn – tổ dân phố bình yên", one scheme run in all 12 groups
    safe = _scheme(
        api,
        types,
        "ho_an_toan",
        "Hộ an toàn – tổ dân phố bình yên Phùng Chí Kiên",
        groups,
        "2021-10-01",
    )
    assert len(api.get(f"/community/schemes/{safe['id']}")["units"]) == 12
    _sync("villages", "2021M12")
    # Then the ward, Phường Bắc Kạn and Thái Nguyên count 12, 12, 10 and 1 schemes, the last
    # one in 12 of 12 groups
    at = [m.phung_chi_kien, m.phuong_bac_kan]
    got = api.figures(["schemes_active"], at, "2021M12", disaggregate=True)
    plain = api.figures(["villages", "schemes_active"], at, "2021M12")
    for unit in at:
        assert got[("schemes_active", unit.code, "to_tu_quan")] == 12, unit
        assert got[("schemes_active", unit.code, "to_hoa_giai")] == 12, unit
        assert got[("schemes_active", unit.code, "an_ninh_mang_non")] == 10, unit
        assert got[("schemes_active", unit.code, "ho_an_toan")] == 1, unit
        assert plain[("villages", unit.code, "")] == 12, unit
        assert plain[("schemes_active", unit.code, "")] == 35, unit
    # and the province holds Lương Phong's neighbours' nothing: Yên Thượng has no schemes,
    # so Thái Nguyên's 35 are the ward's
    province = api.figures(["schemes_active"], [m.thai_nguyen, m.bac_kan], "2021M12")
    assert province[("schemes_active", m.thai_nguyen.code, "")] == 35
    assert province[("schemes_active", m.bac_kan.code, "")] == 35
    for unit in (m.phung_chi_kien, m.phuong_bac_kan):
        assert api.count("/community/schemes", unit) == 35, unit


def _ha_huy_tap(client, m) -> None:
    api = Api(client, m.na_officer, m.capture)
    ward_api = Api(client, m.ward_officer, m.capture)
    # Given Nghệ An's officer imports Hà Huy Tập's figures: households, permanent residents,
    # crimes of 2023 and 2024 (−10 %) and the ward's 16 officers
    job = _import(
        client,
        api,
        m.nghe_an,
        m.nghe_an_old,
        [
            ["L16666", "", "households", "2024", "", 6147],
            ["L16666", "", "population", "2024", "", 26836],
            ["L16666", "", "crimes", "05/2023", "trat_tu_xa_hoi", 10],
            ["L16666", "", "crimes", "05/2024", "trat_tu_xa_hoi", 9],
            ["L16666", "", "officers", "12/2024", "", 16],
        ],
    )
    assert job["status"] == "done", job
    _sync("villages", "2024M12")
    # And the 2024 cycle of the model-ward programme (22 criteria) is enrolled on the old
    # ward by the province, self-assessed by the successor ward, verified and decided
    program = pf.program(
        pf.ministry_admin(),
        code="cong-an-phuong-kieu-mau-2024",
        criteria=[
            program_services.CriterionInput(
                code=str(n),
                group="I. An ninh" if n <= 11 else "II. Phong trào",
                title=f"Tiêu chí {n}",
                kind="evidence",
                order=n * 10,
            )
            for n in range(1, 23)
        ],
    )
    enrollment = api.post(
        f"/programs/{program.code}/enrollments", {"unit": m.ha_huy_tap.code, "period": "2024"}
    )
    pk = enrollment["id"]
    criteria = [c.pk for c in program.current_set.criteria.all()]  # type: ignore[union-attr]
    assert len(criteria) == 22
    for criterion in criteria:
        ward_api.post(
            f"/programs/enrollments/{pk}/assessments/{criterion}", {"self_met": True}, status=200
        )
        with m.capture(execute=True):
            response = client.post(
                f"/api/v1/programs/enrollments/{pk}/evidence/{criterion}",
                {"file": pf.png()},
                **ward_api.headers,
            )
        assert response.status_code == 201, response.content.decode()
    ward_api.post(f"/programs/enrollments/{pk}/submit", {}, status=200)
    for criterion in criteria:
        api.post(
            f"/programs/enrollments/{pk}/verdicts/{criterion}",
            {"verdict": "agree", "comment": ""},
            status=200,
        )
    api.post(f"/programs/enrollments/{pk}/verify", {"note": ""}, status=200)
    api.post(
        f"/programs/{program.code}/decisions",
        {
            "period": "2024",
            "enrollments": [pk],
            "recognised": [pk],
            "number": "125/QĐ-UBND",
            "issued_on": "2024-12-20",
            "signer": "Nguyễn Văn Ký",
            "signer_title": "Chủ tịch",
            "issuing_body": "Ủy ban nhân dân tỉnh Nghệ An",
        },
    )
    # Then the old ward's figures stand at Hà Huy Tập, Phường Vinh Phú and Nghệ An
    at = [m.ha_huy_tap, m.vinh_phu, m.nghe_an]
    year = api.figures(["households", "population"], at, "2024")
    month = api.figures(["villages", "officers"], at, "2024M12")
    crimes = api.figures(["crimes"], at, "2024", compare=True)
    for unit in at:
        assert year[("households", unit.code, "")] == 6147, unit
        assert year[("population", unit.code, "")] == 26836, unit
        assert month[("villages", unit.code, "")] == 20, unit
        assert month[("officers", unit.code, "")] == 16, unit
        assert crimes[("crimes", unit.code, "")] == 9, unit
    body = api.get(
        "/analytics", metrics="crimes", units=m.vinh_phu.code, periods="2024", compare=True
    )
    assert body["rows"][0]["yoy_pct"] == pytest.approx(-10.0)
    # And the successor's programme page and file show the predecessor's recognition
    expected = "Đơn vị tiền thân: Phường Hà Huy Tập — đạt 22/22 tiêu chí năm 2024"
    client.force_login(m.ward_officer)
    html = client.get(reverse("programs:detail", args=[program.code])).content.decode()
    assert expected in html
    client.logout()


def _ninh_binh(client, m) -> None:
    api = Api(client, m.nb_officer, m.capture)
    # Given Ninh Bình's officer records the 27 communes of the 2018 transformation list on
    # the pre-2025 communes, then 16 removal decisions
    made = [
        api.post(
            "/hotspots/designations",
            {
                "regime": "transformation",
                "unit": commune.code,
                "year": 2018,
                "decision_number": f"{n}/QĐ-BCĐ",
                "decision_date": "2018-01-15",
                "issuing_body": "Ban Chỉ đạo tỉnh Ninh Bình",
            },
        )
        for n, commune in enumerate(m.nb_communes, start=1)
    ]
    for designation in made[:16]:
        api.post(
            f"/hotspots/designations/{designation['id']}/removal",
            {
                "decision_number": "120/QĐ-BCA",
                "decision_date": "2018-12-20",
                "issuing_body": "Bộ Công an",
            },
            status=200,
        )
    # Then the old and the new province count 27 designated, 16 removed in 2018
    at = [m.ninh_binh_old, m.ninh_binh]
    got = api.figures(["hotspots_designated", "hotspots_removed"], at, "2018", disaggregate=True)
    for unit in at:
        assert got[("hotspots_designated", unit.code, "transformation")] == 27, unit
        assert got[("hotspots_removed", unit.code, "transformation")] == 16, unit
    # and a 2025 commune that took in three listed communes counts three areas
    gia_lam = OrgUnit.objects.get(code="14389")
    one = api.figures(["hotspots_designated"], [gia_lam], "2018", disaggregate=True)
    assert one[("hotspots_designated", "14389", "transformation")] == 3
    # And the designation lists by the old and the new province hold all 27
    for unit in at:
        assert api.count("/hotspots/designations", unit, year=2018) == 27, unit
    assert api.count("/hotspots/designations", gia_lam) == 3
    # And the board of today's province reads 16/27, 59,3 %
    login_verified(client, m.nb_officer)
    html = client.get(
        reverse("hotspots:board"), {"year": 2018, "regime": "transformation"}
    ).content.decode()
    assert "16/27" in html
    assert "59,3%" in html
    client.logout()


SEEDS = {
    "luong_phong": _luong_phong,
    "yen_thuong": _yen_thuong,
    "phung_chi_kien": _phung_chi_kien,
    "ha_huy_tap": _ha_huy_tap,
    "ninh_binh": _ninh_binh,
}


# --- bad input on the history, end to end --------------------------------------------------


def test_a_record_on_a_closed_unit_after_the_reform_names_the_successor(
    client, m, django_capture_on_commit_callbacks
):
    api = Api(client, m.tn_officer, django_capture_on_commit_callbacks)
    # When an outreach session on Yên Thượng is dated after 30/06/2025
    body = api.post(
        "/activities",
        {
            "kind": "outreach",
            "unit": m.yen_thuong.code,
            "date": "2025-08-01",
            "topic": "Phòng chống ma túy",
        },
        status=400,
    )
    # Then the date is refused naming the 2025 commune; nothing is saved
    assert body["field"] == "date"
    assert "Xã Yên Thịnh" in body["message"] and "01/07/2025" in body["message"]
    assert api.count("/activities", m.yen_thinh) == 0
    # And a scheme founded after the reform on Phùng Chí Kiên likewise
    types = _types(api)
    body = api.post(
        "/community/schemes",
        {
            "scheme_type": types["to_tu_quan"],
            "name": "Tổ tự quản mới",
            "units": [m.phung_chi_kien.code],
            "lead_org_kind": "police",
            "founded_on": "2025-09-01",
        },
        status=400,
    )
    assert "Phường Bắc Kạn" in json.dumps(body, ensure_ascii=False)
    assert api.count("/community/schemes", m.phuong_bac_kan) == 0


def test_a_village_given_two_former_communes_is_refused(
    client, m, django_capture_on_commit_callbacks
):
    api = Api(client, m.bn_officer, django_capture_on_commit_callbacks)
    village = m.lp_villages[0]
    # When a village of Xã Hiệp Hòa is said to have belonged to Lương Phong and Đoan Bái
    response = client.patch(
        f"/api/v1/orgunits/{village.code}",
        json.dumps({"former_parent": "L07846, L07867"}),
        content_type="application/json",
        **api.headers,
    )
    # Then the field is named with the reason; the village keeps its one former commune
    assert response.status_code == 400, response.content.decode()
    body = response.json()
    assert body["field"] == "former_parent"
    assert "chỉ thuộc một xã/phường cũ" in body["message"]
    village.refresh_from_db()
    assert village.former_parent == m.luong_phong
    # And a new village given two is not created
    body = api.post(
        f"/orgunits/{m.hiep_hoa.code}/children",
        {
            "kind": "village",
            "subkind": "thon",
            "name": "Thôn Hai Gốc",
            "former_parent": "Lương Phong; Đoan Bái",
        },
        status=400,
    )
    assert body["field"] == "former_parent"
    assert not OrgUnit.objects.filter(name="Thôn Hai Gốc").exists()


def test_a_history_row_on_a_unit_that_no_longer_existed_is_refused(
    client, m, django_capture_on_commit_callbacks
):
    api = Api(client, m.bn_officer, django_capture_on_commit_callbacks)
    # When a history workbook gives Lương Phong a value for August 2025, beside a good row
    job = _import(
        client,
        api,
        m.bac_ninh,
        m.bac_giang,
        [
            ["L07846", "", "population", "2024", "", 18858],
            ["L07846", "", "officers", "08/2025", "", 5],
        ],
    )
    # Then the job names row 3 and the reason, and nothing is saved
    assert job["status"] == "failed"
    assert [(p["row"], p["message"]) for p in job["problems"]] == [
        (3, "Xã Lương Phong không còn tồn tại vào 08/2025.")
    ]
    year = api.figures(["population"], [m.luong_phong], "2024")
    assert year.get(("population", m.luong_phong.code, "")) is None
