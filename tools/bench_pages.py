"""Benchmark the pages officers open every day on the synthetic national dataset.

``make bench-pages`` logs in as a commune officer, a province officer and a ministry officer
and requests every page type they use (home, unit page, dashboards with comparisons, report
entry and review, completeness, lists with filters, programmes, tips inbox, hotspot board,
targets, exports). One JSON line per page::

    {"op": "page", "db", "role", "page", "url", "status", "p50_ms", "p95_ms", "queries",
     "floor_ms", "target_ms": 300, "max_queries": 50}

Times are the server's own: each request goes through Django's whole stack (middleware,
view, template) in this process, without the network, ``BENCH_PAGES_REPEATS`` times (20)
after one warm-up. ``BENCH_PAGES_ONLY=role:page,...`` (``commune_officer:home``; a bare role
keeps all its pages, a bare page name keeps that page for every role) measures only those
pages. ``queries`` is the number of SQL statements
of one request. ``floor_ms`` is the baseline of the same run: the p50 of the lightest
signed-in page (the profile), the cost every page pays before its own work. A last line per
role names its slowest page.

The dataset is the one ``make bench`` builds (``tools/bench.py``: the real map, ~100,000
villages, five years of values); it is built here if missing. The programme pages use the
34-criteria programme of ``tools/bench_programs.py`` with every current commune enrolled
for 2025: the measured commune through the service, the others bulk-loaded (the same rows
without the audit entries), so the overviews count and evaluate files at national scale.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # tools/bench.py: the dataset and the orchestration

REPEATS = int(os.environ.get("BENCH_PAGES_REPEATS", "20"))
ONLY = [s.strip() for s in os.environ.get("BENCH_PAGES_ONLY", "").split(",") if s.strip()]
TARGET_MS = 300.0
MAX_QUERIES = 50
FORM = "bao_cao_thang"
PROGRAMME_PERIOD = "2025"


def _user(username: str, role: str, unit: Any) -> Any:
    from binhyen.accounts.models import RoleAssignment, User

    user, _created = User.objects.get_or_create(username=username, defaults={"full_name": username})
    RoleAssignment.objects.get_or_create(user=user, role=role, orgunit=unit)
    return user


def _client(user: Any) -> Any:
    """A test client signed in as ``user`` with a verified second factor."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _request(client: Any, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url)
    if getattr(response, "streaming", False):
        for _chunk in response.streaming_content:
            pass
    else:
        _body = response.content
    return (time.perf_counter() - started) * 1000.0, response.status_code


class _Counter:
    """Count the SQL statements run on any database connection (``execute_wrapper``)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def _measure(client: Any, url: str) -> dict[str, Any]:
    from contextlib import ExitStack

    from django.db import connections

    _request(client, url)  # warm-up
    counter = _Counter()
    with ExitStack() as stack:
        for conn in connections.all():
            stack.enter_context(conn.execute_wrapper(counter))
        _ms, status = _request(client, url)
    times = sorted(_request(client, url)[0] for _ in range(REPEATS))
    p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
    return {
        "status": status,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95, 1),
        "queries": counter.count,
    }


def _enrolments(commune: Any, officer: Any) -> tuple[str, int]:
    """Return (programme code, the commune's file id): the benchmark programme with every
    current commune enrolled for ``PROGRAMME_PERIOD`` (built once per dataset)."""
    import bench_programs  # tools/bench_programs.py: the 34-criteria programme

    from binhyen.orgunits.models import OrgUnit, UnitKind
    from binhyen.programs import services
    from binhyen.programs.models import Assessment, Enrollment

    program = bench_programs._program(bench._admin())
    own = Enrollment.objects.filter(program=program, unit=commune, period=PROGRAMME_PERIOD).first()
    if own is None:
        own = services.enrollment_create(
            actor=officer, program=program, unit=commune, period_code=PROGRAMME_PERIOD
        )
    enrolled = set(
        Enrollment.objects.filter(program=program, period=PROGRAMME_PERIOD).values_list(
            "unit_id", flat=True
        )
    )
    criteria = list(program.current_set.criteria.all())
    missing = (
        OrgUnit.objects.current()
        .filter(kind=UnitKind.COMMUNE)
        .exclude(pk__in=enrolled)
        .values_list("pk", flat=True)
    )
    made = Enrollment.objects.bulk_create(
        [
            Enrollment(
                program=program,
                criteria_set=program.current_set,
                unit_id=pk,
                period=PROGRAMME_PERIOD,
                enrolled_by=officer,
            )
            for pk in missing
        ],
        batch_size=500,
    )
    Assessment.objects.bulk_create(
        [Assessment(enrollment=e, criterion=c) for e in made for c in criteria], batch_size=2000
    )
    return program.code, own.pk


def _pages(
    commune: Any, province: Any, country: Any, period: str, program: tuple[str, int]
) -> dict[str, list[tuple[str, str]]]:
    code, file_id = program
    c, p, n = commune.code, province.code, country.code
    commune_pages = [
        ("home", "/"),
        ("unit", f"/units/{c}/"),
        ("dashboard", f"/indicators/u/{c}/"),
        ("report_list", "/indicators/reports/"),
        ("report_entry", f"/indicators/reports/{FORM}/{c}/{period}/"),
        ("activities", "/activities/"),
        ("schemes", "/community/schemes/"),
        ("teams", "/community/teams/"),
        ("pledges", "/community/pledges/"),
        ("tips_inbox", "/tips/inbox/"),
        ("hotspots", "/hotspots/"),
        ("programmes", "/programs/"),
        ("targets", f"/targets/u/{c}/"),
        ("activities_export", "/activities/export.xlsx"),
    ]
    province_pages = [
        ("home", "/"),
        ("unit", f"/units/{p}/"),
        ("dashboard", f"/indicators/u/{p}/"),
        ("completeness", f"/indicators/completeness/{FORM}/{p}/{period}/"),
        ("report_review", f"/indicators/reports/{FORM}/{c}/{period}/"),
        ("activities_filtered", f"/activities/?unit={c}&q=tuyen+truyen"),
        ("schemes_filtered", "/community/schemes/?q=tu+quan"),
        ("tips_inbox", "/tips/inbox/"),
        ("hotspot_board", "/hotspots/board/"),
        ("programmes", "/programs/"),
        ("targets", f"/targets/u/{p}/"),
        ("children_export", f"/units/{p}/children.xlsx"),
    ]
    ministry_pages = [
        ("home", "/"),
        ("unit", f"/units/{n}/"),
        ("dashboard", f"/indicators/u/{n}/"),
        ("completeness", f"/indicators/completeness/{FORM}/{n}/{period}/"),
        ("hotspot_board", "/hotspots/board/"),
        ("programmes", "/programs/"),
        ("children_export", f"/units/{n}/children.xlsx"),
    ]
    overview = f"/programs/{code}/overview/?period={PROGRAMME_PERIOD}"
    commune_pages.append(("programme_file", f"/programs/files/{file_id}/"))
    province_pages.append(("programme_overview", overview))
    province_pages.append(("programme_file", f"/programs/files/{file_id}/"))
    ministry_pages.append(("programme_overview", overview))
    return {
        "commune_officer": commune_pages,
        "province_officer": province_pages,
        "ministry_officer": ministry_pages,
    }


def _wanted(role: str, page: str) -> bool:
    """Whether ``BENCH_PAGES_ONLY`` (empty: every page) selects this page of this role."""
    return not ONLY or any(w in (role, page, f"{role}:{page}") for w in ONLY)


def measure(db: str) -> None:
    """Print the page lines for ``db`` (the caller has set Django up and prepared it)."""
    from django.conf import settings

    from binhyen.accounts.models import Role
    from binhyen.indicators.periods import Period, PeriodKind
    from binhyen.orgunits.models import OrgUnit, UnitKind

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    country = OrgUnit.objects.get(level=0)
    province = OrgUnit.objects.current().filter(kind=UnitKind.PROVINCE).order_by("code").first()
    if province is None:
        raise SystemExit("the dataset has no current province: build it with make bench")
    commune = (
        OrgUnit.objects.current()
        .filter(kind=UnitKind.COMMUNE, path__startswith=province.path)
        .order_by("code")
        .first()
    )
    from django.utils import timezone

    period = Period.containing(PeriodKind.MONTH, timezone.localdate()).previous().code
    users = {
        "commune_officer": _user("bench-commune", Role.COMMUNE_OFFICER, commune),
        "province_officer": _user("bench-province", Role.PROVINCE_OFFICER, province),
        "ministry_officer": _user("bench-ministry", Role.MINISTRY_OFFICER, country),
    }
    programme = _enrolments(commune, users["commune_officer"])
    from binhyen.core.memory import freeze_startup_objects

    freeze_startup_objects()  # as the WSGI entry point does when a server starts
    for role, all_pages in _pages(commune, province, country, period, programme).items():
        pages = [(page, url) for page, url in all_pages if _wanted(role, page)]
        if not pages:
            continue
        client = _client(users[role])
        floor = _measure(client, "/accounts/profile/")["p50_ms"]
        worst: dict[str, Any] = {}
        for page, url in pages:
            line: dict[str, Any] = {"op": "page", "db": db, "role": role, "page": page, "url": url}
            line.update(_measure(client, url))
            line.update({"floor_ms": floor, "target_ms": TARGET_MS, "max_queries": MAX_QUERIES})
            print(json.dumps(line), flush=True)
            if not worst or line["p95_ms"] > worst["p95_ms"]:
                worst = line
        print(
            json.dumps(
                {
                    "op": "page_worst",
                    "db": db,
                    "role": role,
                    "page": worst.get("page"),
                    "p95_ms": worst.get("p95_ms"),
                    "queries": worst.get("queries"),
                    "target_ms": TARGET_MS,
                }
            ),
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.db:
        bench.setup_django()
        bench.prepare(args.db)
        measure(args.db)
        return 0
    return bench.orchestrate(script=__file__)


if __name__ == "__main__":
    sys.exit(main())
