"""Drive the cluster of ``make cluster`` and print one JSON line per check (``make cluster-check``).

Loopback only, bounded (``CLUSTER_CHECK_SECONDS``, default 540 s in all), and it leaves nothing
running that it started: when no cluster is running it starts one, and stops it at the end.
Each line has ``"check"``, ``"ok": true|false`` and the figures measured:

- ``failover``: tips submitted through the load balancer (challenge, proof of work, submit:
  the client of ``tools/loadtest.py``) while one app server is killed (SIGKILL) and started
  again. Every acknowledged tip must be stored; the only 5xx allowed are 502/503 for the
  requests that were in flight on the killed server (the window from the kill until the
  load balancer has marked it down: ``FAILOVER_WINDOW`` seconds), never a 500.
- ``worker_killed``: a task that takes a few seconds is killed with its worker mid-run; it
  must run again on a worker and complete exactly once.
- ``replica_reads``: a dashboard requested through the load balancer is computed on the
  replica (the app servers' connections there last ran the engine's queries), the engine in
  this process reads the replica; after a write, reads go to the primary and see it.
- ``media_s3``: a tip photo stored by the intake service is in the bucket of the S3 server
  and streams back through the load balancer to the commune officer.
- ``replica_lag``: the replica streams, and how far behind it is (bytes and seconds).
- ``backup_restore``: ``manage.py backup``, then ``manage.py restore`` into an empty database:
  the row counts must be equal.
- ``sla_escalation``: a tip left unclaimed past its acknowledgement deadline is escalated by
  the scheduler and a worker, with no command run by hand.

Exits non-zero when a check fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT_DIR)
sys.path.insert(0, os.path.join(ROOT_DIR, "tools"))

import cluster  # noqa: E402
import loadtest  # noqa: E402


def _log_to_stderr(message: str) -> None:
    print(f"[cluster] {message}", file=sys.stderr, flush=True)


cluster.log = _log_to_stderr  # stdout carries only the JSON lines

BUDGET = float(os.environ.get("CLUSTER_CHECK_SECONDS", "540"))
LOAD_SECONDS = float(os.environ.get("CLUSTER_CHECK_LOAD_SECONDS", "30"))
CLIENTS = int(os.environ.get("CLUSTER_CHECK_CLIENTS", "6"))
# 502/503 are expected for the requests in flight on the killed server: sent at most this many
# seconds before the kill, or within this many seconds after it (until nginx marks it down).
FAILOVER_WINDOW = 5.0
DEMO_PASSWORD = "BinhYen@2025"  # noqa: S105 - the published demo password (README)
DEMO_COMMUNE = "07840"
LB = f"http://{cluster.HOST}:{cluster.LB_PORT}"
T0 = time.monotonic()
RESULTS: list[dict[str, Any]] = []


def emit(check: str, ok: bool, **figures: Any) -> None:
    line = {"check": check, "ok": bool(ok), **figures}
    RESULTS.append(line)
    print(json.dumps(line, ensure_ascii=False, default=str), flush=True)


def left() -> float:
    return BUDGET - (time.monotonic() - T0)


def pg(port: int, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    import psycopg

    url = f"postgres://{cluster.PG_USER}@{cluster.HOST}:{port}/{cluster.DB_NAME}"
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        cursor = conn.execute(sql, params or [])
        return list(cursor.fetchall()) if cursor.description else []


def setup_django() -> None:
    os.environ.update(cluster.django_env())
    import django

    django.setup()


class Browser:
    """A signed-in user of the site through the load balancer. Cookies are kept by hand: with
    DEBUG off they are marked Secure, and this cluster speaks plain HTTP on loopback."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any, bytes]:
        conn = http.client.HTTPConnection(cluster.HOST, cluster.LB_PORT, timeout=60)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers, data

    def get(self, path: str) -> tuple[int, bytes]:
        status, _headers, data = self.request("GET", path)
        return status, data

    def login(self, username: str) -> None:
        status, page = self.get("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page: HTTP {status}")
        body = urllib.parse.urlencode(
            {
                "username": username,
                "password": DEMO_PASSWORD,
                "csrfmiddlewaretoken": token.group(1).decode(),
            }
        ).encode()
        status, headers, _data = self.request(
            "POST",
            "/accounts/login/",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": LB + "/accounts/login/",
            },
        )
        if status != 302 or "/accounts/login/" in (headers.get("Location") or ""):
            raise RuntimeError(f"{username} could not sign in (HTTP {status})")


# --- (a) failover --------------------------------------------------------------------------


def check_failover() -> None:
    communes = [
        row[0]
        for row in pg(
            cluster.PG_PORT,
            "SELECT code FROM orgunits_orgunit WHERE kind = 'commune' AND valid_to IS NULL "
            "ORDER BY code LIMIT 300",
        )
    ]
    stats = loadtest.Stats()
    events: dict[str, float] = {}
    loadtest.CLIENTS = CLIENTS

    async def chaos() -> None:
        await asyncio.sleep(LOAD_SECONDS * 0.3)
        pid = cluster.read_pid("app1")
        if pid is None:
            raise RuntimeError("app1 is not running")
        events["killed"] = time.monotonic()
        os.killpg(pid, signal.SIGKILL)  # the server and its worker, no goodbye
        await asyncio.sleep(LOAD_SECONDS * 0.2)
        cluster.start_app(0)
        await asyncio.to_thread(cluster.wait_http, cluster.APP_PORTS[0], "app1", 90)
        events["restarted"] = time.monotonic()

    async def drive() -> None:
        run_id = secrets.token_hex(3)
        stats.started = time.monotonic()
        deadline = stats.started + LOAD_SECONDS
        await asyncio.gather(
            chaos(),
            *(
                loadtest.client_loop(i, cluster.LB_PORT, communes, stats, deadline, run_id)
                for i in range(CLIENTS)
            ),
        )
        stats.ended = time.monotonic()

    asyncio.run(drive())
    acknowledged = stats.acknowledged
    stored = pg(
        cluster.PG_PORT,
        "SELECT count(*) FROM tips_tip WHERE tracking_code = ANY(%s)",
        [acknowledged],
    )[0][0]
    killed = events.get("killed", 0.0)

    def near_kill(t: float) -> bool:
        return killed - FAILOVER_WINDOW <= t <= killed + FAILOVER_WINDOW

    in_window = [s for t, s in stats.timeline if near_kill(t)]
    outside = [
        s for t, s in stats.timeline if not near_kill(t) and (s == "conn" or s.startswith("5"))
    ]
    errors_500 = [s for _t, s in stats.timeline if s == "500"]
    window_5xx = [s for s in in_window if s.startswith("5") or s == "conn"]
    seconds = stats.ended - stats.started
    emit(
        "failover",
        stored == len(acknowledged)
        and not outside
        and not errors_500
        and all(s in ("502", "503", "conn") for s in window_5xx)
        and len(acknowledged) > 0
        and "restarted" in events,
        acknowledged=len(acknowledged),
        stored=stored,
        lost=len(acknowledged) - stored,
        tips_per_second=round(len(acknowledged) / seconds, 1) if seconds else 0,
        statuses=dict(stats.statuses),
        errors_in_window=len(window_5xx),
        errors_outside_window=len(outside),
        window_seconds=FAILOVER_WINDOW,
        app_server_down_seconds=round(events.get("restarted", 0) - killed, 1),
        clients=CLIENTS,
        seconds=round(seconds, 1),
    )


# --- (b) a worker killed mid-task ----------------------------------------------------------


def check_worker_killed() -> None:
    if cluster.read_pid("worker1") is None:
        emit("worker_killed", False, reason="no task workers in this cluster")
        return
    from django.core.cache import cache

    from binhyen.core import probes

    key = secrets.token_hex(6)
    result = probes.probe_sleep.enqueue(key=key, seconds=8.0)
    deadline = time.monotonic() + 60
    runner = None
    while time.monotonic() < deadline:
        runner = cache.get(probes.runner_key(key))
        if runner:
            break
        time.sleep(0.3)
    if not runner:
        emit("worker_killed", False, reason="no worker started the task in 60 s")
        return
    name = next(
        (
            n
            for n in (f"worker{i + 1}" for i in range(cluster.WORKERS))
            if cluster.read_pid(n) == runner
        ),
        None,
    )
    time.sleep(2.0)  # mid-task
    os.killpg(runner, signal.SIGKILL)
    killed = time.monotonic()
    if name is not None:
        cluster.spawn(
            name, [cluster.PY, "manage.py", "db_worker", "--no-reload"], cluster.django_env()
        )
    bound = min(240.0, max(30.0, left() - 200))
    status = ""
    while time.monotonic() - killed < bound:
        status = str(probes.status_of(result.id))
        if cache.get(probes.done_key(key)):
            break
        time.sleep(1.0)
    time.sleep(1.0)
    starts = int(cache.get(probes.starts_key(key)) or 0)
    completions = int(cache.get(probes.completions_key(key)) or 0)
    status = str(probes.status_of(result.id))
    emit(
        "worker_killed",
        starts >= 2 and completions == 1 and status.endswith("SUCCESSFUL"),
        task_id=str(result.id),
        killed_worker=name,
        runs_started=starts,
        completions=completions,
        final_status=status,
        seconds_to_complete_after_kill=round(time.monotonic() - killed, 1),
    )


# --- (c) replica reads, (e) replica lag ----------------------------------------------------


def check_replica_reads() -> None:
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.test.utils import CaptureQueriesContext

    from binhyen.core import db_router
    from binhyen.indicators import engine
    from binhyen.indicators.models import Metric
    from binhyen.indicators.periods import parse_period
    from binhyen.orgunits.models import OrgUnit

    # Through the load balancer: the commune chief's dashboard, three times.
    browser = Browser()
    browser.login("demo_truong")
    before = pg(
        cluster.REPLICA_PORT,
        "SELECT xact_commit FROM pg_stat_database WHERE datname = %s",
        [cluster.DB_NAME],
    )[0][0]
    statuses = [browser.get(f"/indicators/u/{DEMO_COMMUNE}/")[0] for _ in range(3)]
    time.sleep(1.5)
    after = pg(
        cluster.REPLICA_PORT,
        "SELECT xact_commit FROM pg_stat_database WHERE datname = %s",
        [cluster.DB_NAME],
    )[0][0]
    engine_sessions = pg(
        cluster.REPLICA_PORT,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
        " AND backend_type = 'client backend'"
        " AND (query ILIKE '%%indicators_%%' OR query ILIKE '%%orgunits_orgunit%%')",
        [cluster.DB_NAME],
    )[0][0]

    # In this process: the engine reads the replica; after a write, the primary.
    primary, replica = connections[DEFAULT_DB_ALIAS], connections[db_router.REPLICA]
    unit = OrgUnit.objects.get(code=DEMO_COMMUNE)
    metrics = list(Metric.objects.filter(code__in=["tips_received", "crimes"]))
    periods = [parse_period(f"{time.gmtime().tm_year}")]
    db_router.request_started()
    with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(replica) as on_replica:
        engine.run(metrics=metrics, units=[unit], periods=periods)
    clean_read = (len(on_primary.captured_queries), len(on_replica.captured_queries))
    db_router.request_finished()

    from binhyen.tips import services
    from binhyen.tips.models import Tip

    db_router.request_started()
    submitted = services.tip_submit(
        actor=None,
        data=services.TipInput(
            kind="crime", description="Kiểm tra đọc sau khi ghi.", commune_code=DEMO_COMMUNE
        ),
        channel="web",
    )
    with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(replica) as on_replica:
        seen = Tip.objects.filter(tracking_code=submitted.tip.tracking_code).exists()
        engine.run(metrics=metrics, units=[unit], periods=periods)
    after_write = (len(on_primary.captured_queries), len(on_replica.captured_queries))
    db_router.request_finished()
    emit(
        "replica_reads",
        all(s == 200 for s in statuses)
        and engine_sessions > 0
        and after - before >= len(statuses)
        and clean_read[0] == 0
        and clean_read[1] > 0
        and after_write[1] == 0
        and after_write[0] > 0
        and seen,
        dashboard_statuses=statuses,
        replica_transactions_during_dashboards=after - before,
        replica_sessions_last_on_indicators=engine_sessions,
        engine_queries_primary_replica=list(clean_read),
        after_write_queries_primary_replica=list(after_write),
        read_after_write_sees_row=seen,
    )


def check_replica_lag() -> None:
    rows = pg(
        cluster.PG_PORT,
        "SELECT state, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn),"
        " EXTRACT(EPOCH FROM replay_lag) FROM pg_stat_replication",
    )
    target = pg(cluster.PG_PORT, "SELECT pg_current_wal_lsn()::text")[0][0]
    started = time.monotonic()
    caught_up = False
    while time.monotonic() - started < 15:
        replayed = pg(
            cluster.REPLICA_PORT,
            "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s::pg_lsn) >= 0",
            [target],
        )[0][0]
        if replayed:
            caught_up = True
            break
        time.sleep(0.1)
    in_recovery, replay_age = pg(
        cluster.REPLICA_PORT,
        "SELECT pg_is_in_recovery(), EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())",
    )[0]
    state, lag_bytes, lag_seconds = rows[0] if rows else ("absent", None, None)
    emit(
        "replica_lag",
        bool(rows) and state == "streaming" and bool(in_recovery) and caught_up,
        state=state,
        lag_bytes=int(lag_bytes) if lag_bytes is not None else None,
        replay_lag_seconds=float(lag_seconds) if lag_seconds is not None else 0.0,
        seconds_to_replay_latest_write=round(time.monotonic() - started, 3),
        seconds_since_last_replayed_transaction=round(float(replay_age or 0), 1),
    )


# --- (d) media on S3 ----------------------------------------------------------------------


def check_media_s3() -> None:
    import boto3

    from binhyen.tips import media, services
    from binhyen.tips.models import TipMedia

    content = loadtest_jpeg()
    from django.core.files.uploadedfile import SimpleUploadedFile

    cleaned = media.process_uploads(
        [SimpleUploadedFile("anh.jpg", content, content_type="image/jpeg")]
    )
    submitted = services.tip_submit(
        actor=None,
        data=services.TipInput(
            kind="crime", description="Ảnh kiểm tra lưu trữ S3.", commune_code=DEMO_COMMUNE
        ),
        channel="web",
        media=cleaned,
    )
    item = TipMedia.objects.get(tip=submitted.tip)
    client = boto3.client(
        "s3",
        endpoint_url=f"http://{cluster.HOST}:{cluster.S3_PORT}",
        aws_access_key_id="cluster",
        aws_secret_access_key="cluster-secret",  # noqa: S106 - the local test server
        region_name="us-east-1",
    )
    in_bucket = client.get_object(Bucket=cluster.BUCKET, Key=item.file.name)["Body"].read()
    browser = Browser()
    browser.login("demo_canbo")
    status, served = browser.get(f"/tips/{submitted.tip.pk}/media/{item.pk}/")
    expected = cleaned[0].content
    emit(
        "media_s3",
        in_bucket == expected and status == 200 and served == expected,
        key=item.file.name,
        bytes=len(expected),
        in_bucket=in_bucket == expected,
        through_load_balancer_status=status,
        read_back_equal=served == expected,
    )


def loadtest_jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


# --- (f) backup and restore ------------------------------------------------------------------


def manage_output(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    result = subprocess.run(  # noqa: S603
        [cluster.PY, "manage.py", *args],
        cwd=cluster.ROOT,
        env=env or cluster.django_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)}: {result.stderr.strip()[-600:]}")
    return result.stdout


def check_backup_restore() -> None:
    if not cluster.has_command("backup") or not cluster.has_command("restore"):
        emit("backup_restore", False, reason="this code has no `manage.py backup`/`restore`")
        return
    target = cluster.CLUSTER / "backups"
    target.mkdir(exist_ok=True)
    env = cluster.django_env()
    env["BACKUP_DIR"] = str(target)
    started = time.monotonic()
    out = manage_output("backup", env=env)
    archives = sorted(target.glob("binhyen-*"), key=lambda p: p.stat().st_mtime)
    if not archives:
        raise RuntimeError(f"backup wrote nothing: {out[-300:]}")
    archive = archives[-1]
    backup_seconds = time.monotonic() - started
    restore_db = "binhyen_restore"
    pg(cluster.PG_PORT, f'DROP DATABASE IF EXISTS "{restore_db}"')
    pg(cluster.PG_PORT, f'CREATE DATABASE "{restore_db}"')
    restore_env = dict(env)
    restore_env["DATABASE_URL"] = (
        f"postgres://{cluster.PG_USER}@{cluster.HOST}:{cluster.PG_PORT}/{restore_db}"
    )
    restore_env.pop("DATABASE_REPLICA_URL", None)
    started = time.monotonic()
    restore_out = manage_output("restore", str(archive), env=restore_env)
    restore_seconds = time.monotonic() - started
    # Every table of the archive's manifest, counted again in the restored database.
    import tarfile

    import psycopg

    with tarfile.open(archive) as tar:
        member = tar.extractfile("manifest.json")
        manifest = json.loads(member.read()) if member else {}
    expected: dict[str, int] = manifest.get("tables", {})
    restored: dict[str, int] = {}
    with psycopg.connect(restore_env["DATABASE_URL"], autocommit=True) as conn:
        for table in expected:
            restored[table] = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    differing = {t: [n, restored.get(t)] for t, n in expected.items() if restored.get(t) != n}
    shown = ["tips_tip", "orgunits_orgunit", "indicators_datavalue", "core_auditevent"]
    counts = {t: [expected[t], restored[t]] for t in shown if t in expected}
    pg(cluster.PG_PORT, f'DROP DATABASE IF EXISTS "{restore_db}"')
    emit(
        "backup_restore",
        bool(expected) and not differing,
        archive=archive.name,
        tables=len(expected),
        rows=sum(expected.values()),
        tables_differing=differing,
        archive_bytes=archive.stat().st_size,
        counts_archived_restored=counts,
        backup_seconds=round(backup_seconds, 1),
        restore_seconds=round(restore_seconds, 1),
        restore_said=restore_out.strip().splitlines()[-1:] if restore_out.strip() else [],
    )
    archive.unlink()


# --- (g) SLA escalation by the scheduler -----------------------------------------------------


def check_sla_escalation() -> None:
    if cluster.read_pid("scheduler") is None:
        emit("sla_escalation", False, reason="no scheduler in this cluster")
        return
    from datetime import timedelta

    from django.utils import timezone

    from binhyen.tips import services
    from binhyen.tips.models import Tip

    submitted = services.tip_submit(
        actor=None,
        data=services.TipInput(
            kind="crime", description="Tin báo để quá hạn tiếp nhận.", commune_code=DEMO_COMMUNE
        ),
        channel="web",
    )
    # Time passes: the deadline to acknowledge is now behind us (nobody claimed the tip).
    Tip.objects.filter(pk=submitted.tip.pk).update(ack_due_at=timezone.now() - timedelta(minutes=5))
    started = time.monotonic()
    bound = min(200.0, max(30.0, left() - 20))
    level = 0
    while time.monotonic() - started < bound:
        level = Tip.objects.filter(pk=submitted.tip.pk).values_list("escalation_level", flat=True)[
            0
        ]
        if level > 0:
            break
        time.sleep(2.0)
    emit(
        "sla_escalation",
        level > 0,
        tip=submitted.tip.tracking_code,
        escalation_level=level,
        seconds_until_escalated=round(time.monotonic() - started, 1),
    )


# --- main -------------------------------------------------------------------------------------


def guarded(name: str, check: Callable[[], None]) -> None:
    if left() < 20:
        emit(name, False, reason="time budget spent")
        return
    try:
        check()
    except Exception as exc:
        emit(name, False, error=f"{type(exc).__name__}: {exc}"[:500])


def main() -> int:
    started_here = not cluster.running() or not cluster.http_ok(cluster.LB_PORT)
    if started_here:
        cluster.log("no cluster running: starting one (it is stopped at the end)")
        with contextlib.redirect_stdout(sys.stderr):
            cluster.start()
    try:
        setup_django()
        guarded("failover", check_failover)
        guarded("replica_reads", check_replica_reads)
        guarded("replica_lag", check_replica_lag)
        guarded("media_s3", check_media_s3)
        guarded("sla_escalation", check_sla_escalation)
        guarded("worker_killed", check_worker_killed)
        guarded("backup_restore", check_backup_restore)
    finally:
        if started_here:
            with contextlib.redirect_stdout(sys.stderr):
                cluster.stop()
    emit(
        "summary",
        all(r["ok"] for r in RESULTS),
        checks=len(RESULTS),
        failed=[r["check"] for r in RESULTS if not r["ok"]],
        seconds=round(time.monotonic() - T0, 1),
    )
    return 0 if all(r["ok"] for r in RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main())
