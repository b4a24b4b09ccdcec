"""Benchmark of the offline field app, called by ``tools/bench.py`` on each benchmark database.

Two JSON lines, both in real Chromium (Playwright, Debian's ``chromium``) against a live
server on loopback:

- ``offline_sync_200``: 200 activities queued in the outbox (IndexedDB) are sent by the
  app's own sync (``Idempotency-Key`` on each, one at a time as the app does); ``ours`` is
  the click-to-empty-outbox time; ``baseline`` is the same 200 activities POSTed by a plain
  HTTP client without keys (the server's own cost, no browser, no exactly-once). Target 10 s.
  ``server_cpu_ms`` is the CPU time this process (the server's threads) spent during the
  sync: unlike the wall-clock times it hardly moves with the load of a shared machine.
- ``offline_shell_open``: the shell reloaded with the network cut (``context.set_offline``),
  answered by the service worker from its cache, until the app is ready (its outbox read
  from IndexedDB); ``baseline`` is the same page loaded online from the server. Target 1 s.

Standalone on a small dataset: ``python tools/bench_offline.py`` (a temporary SQLite file,
migrated, one commune with its officer).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENTRIES = int(os.environ.get("BENCH_OFFLINE_ENTRIES", "200"))
REPEATS = int(os.environ.get("BENCH_OFFLINE_REPEATS", "5"))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "bench-offline-Pass-1"  # noqa: S105 (a throw-away user of the benchmark)
TITLE = "bench-offline"


def _line(
    op: str, db: str, ours: float, baseline: float, rows: int, target: float, **extra: Any
) -> None:
    print(
        json.dumps(
            {
                "op": op,
                "db": db,
                "ours_ms": round(ours, 1),
                "baseline_ms": round(baseline, 1),
                "ratio": round(ours / baseline, 2) if baseline else None,
                "rows": rows,
                "match": True,
                "target_ms": target,
                **extra,
            }
        ),
        flush=True,
    )


def _scene() -> tuple[Any, Any]:
    """A current commune with a village, and a commune officer of it (made for the run)."""
    from binhyen.accounts.models import Role, RoleAssignment, User
    from binhyen.orgunits.models import OrgUnit

    commune = (
        OrgUnit.objects.filter(kind="commune", valid_to__isnull=True, children__kind="village")
        .order_by("code")
        .first()
    )
    if commune is None:
        raise SystemExit("bench_offline: no commune with a village in this database")
    User.objects.filter(username="bench_offline").delete()
    user = User.objects.create_user(username="bench_offline", password=PASSWORD)
    RoleAssignment.objects.create(user=user, role=Role.COMMUNE_OFFICER, orgunit=commune)
    return commune, user


def _cleanup(user: Any) -> None:
    from binhyen.activities.models import Activity
    from binhyen.core.models import IdempotencyRecord

    Activity.objects.filter(title__startswith=TITLE).delete()
    IdempotencyRecord.objects.filter(user=user).delete()
    user.delete()


def _plain_posts(base: str, commune: Any) -> float:
    """POST the entries with a plain client (session cookie, no key): the server's cost."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/accounts/login/").read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    form = f"username=bench_offline&password={PASSWORD}&csrfmiddlewaretoken={token}".encode()
    login = urllib.request.Request(f"{base}/accounts/login/", data=form)  # noqa: S310 (loopback http)
    login.add_header("Referer", f"{base}/accounts/login/")
    opener.open(login).read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    t0 = time.perf_counter()
    for n in range(ENTRIES):
        body = {
            "kind": "patrol",
            "unit": commune.code,
            "date": "2026-06-01",
            "title": f"{TITLE} b{n}",
        }
        request = urllib.request.Request(  # noqa: S310 (loopback http)
            f"{base}/api/v1/activities", data=json.dumps(body).encode(), method="POST"
        )
        request.add_header("Content-Type", "application/json")
        request.add_header("X-CSRFToken", token)
        request.add_header("Referer", f"{base}/field/")
        opener.open(request).read()
    return (time.perf_counter() - t0) * 1000


def _browser_runs(base: str, commune: Any) -> tuple[float, float, list[float], list[float]]:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", "bench_offline")
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.goto(f"{base}/field/")
        page.wait_for_selector("body[data-ready='1']", state="attached")
        page.evaluate("navigator.serviceWorker.ready")
        page.reload()
        page.wait_for_selector("body[data-ready='1']", state="attached")
        # the outbox: ENTRIES activities queued as the form would queue them
        page.evaluate(
            """([n, unit, title]) => {
                const box = new BinhYenField.Outbox({api: "/api/v1"});
                const adds = [];
                for (let i = 0; i < n; i++) adds.push(box.add("activity",
                    {kind: "patrol", unit: unit, date: "2026-06-01", title: title + " " + i,
                     description: "", participants: 0}, {label: "bench"}));
                return Promise.all(adds);
            }""",
            [ENTRIES, commune.code, TITLE],
        )
        page.reload()
        page.wait_for_selector("body[data-ready='1']", state="attached")
        t0, cpu0 = time.perf_counter(), time.process_time()
        page.get_by_test_id("sync").click()
        # Waited for in the driver (no polling from this process, which also runs the server).
        expect(page.get_by_test_id("waiting-count")).to_have_text("0", timeout=600_000)
        sync_ms = (time.perf_counter() - t0) * 1000
        server_cpu_ms = (time.process_time() - cpu0) * 1000
        online, offline = [], []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            page.goto(f"{base}/field/", wait_until="commit")
            page.wait_for_selector("body[data-ready='1']", state="attached")
            online.append((time.perf_counter() - t0) * 1000)
        context.set_offline(True)
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            page.reload(wait_until="commit")
            page.wait_for_selector("body[data-ready='1']", state="attached")
            offline.append((time.perf_counter() - t0) * 1000)
        context.set_offline(False)
        browser.close()
    return sync_ms, server_cpu_ms, offline, online


def measure(db: str) -> None:
    """Print the two offline lines for ``db`` (the caller has set Django up on it)."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    from binhyen.activities.models import Activity

    commune, user = _scene()
    server = LiveServerThread("localhost", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://localhost:{server.port}"
    try:
        sync_ms, server_cpu_ms, offline, online = _browser_runs(base, commune)
        synced = Activity.objects.filter(title__startswith=f"{TITLE} ").count()
        baseline_ms = _plain_posts(base, commune)
        _line(
            "offline_sync_200",
            db,
            sync_ms,
            baseline_ms,
            synced,
            10_000.0,
            server_cpu_ms=round(server_cpu_ms, 1),
        )
        _line(
            "offline_shell_open",
            db,
            statistics.median(offline),
            statistics.median(online),
            REPEATS,
            1_000.0,
        )
    finally:
        server.terminate()
        _cleanup(user)


def main() -> int:
    """Run on a small throw-away SQLite database (no national dataset needed)."""
    sys.path.insert(0, str(ROOT))
    folder = tempfile.mkdtemp(prefix="bench-offline-")
    # BENCH_OFFLINE_DATABASE_URL: an empty database of your own (e.g. PostgreSQL) instead.
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_OFFLINE_DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, VillageFactory

    call_command("migrate", verbosity=0)
    province = ProvinceFactory(code="06", name="Tỉnh Thái Nguyên")
    commune = CommuneFactory(code="01891", name="Xã Yên Thượng", parent=province)
    VillageFactory(parent=commune, name="Thôn Nà Đon")
    measure("small-" + os.environ["DATABASE_URL"].split(":", 1)[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
