"""Load test of the public tip intake (``make loadtest``): gunicorn + PostgreSQL on this machine.

What it does, all on loopback (127.0.0.1) and bounded in time:

1. Prepares the PostgreSQL database ``binhyen_load`` (created when missing, migrated, the
   national map imported once; tips of earlier runs are removed).
2. Starts gunicorn (``config.wsgi``, gthread workers) on a free port of 127.0.0.1 with
   production settings (DEBUG off) and a low proof-of-work difficulty.
3. Phase 1: ``LOADTEST_CLIENTS`` concurrent clients run the API intake for
   ``LOADTEST_SECONDS`` (default 60): fetch a challenge, solve it, submit a tip. Prints
   submissions/s, p50/p99 latency of the submissions, errors by status, and acknowledged vs
   stored counts (every acknowledged tracking code must be in the database).
4. Phase 2 (``LOADTEST_RESTART=1``, the default): the same load for
   ``LOADTEST_RESTART_SECONDS`` with PostgreSQL restarted in the middle; requests must fail
   with 503 (never 500) while it is down, and every acknowledged tip must be stored.

The workers share one cache as in production (Redis at ``LOADTEST_CACHE_URL`` when it
answers; otherwise each worker keeps its own). Rate limits stay on: each simulated client
announces itself in the ``X-Loadtest-Client`` header, which the server trusts only because
this script sets ``TIPS_CLIENT_IP_HEADER`` for the gunicorn it starts; a client sends fewer
requests than the per-source limit. Exits non-zero when a tip is lost or a 500 is seen.
``tools/intake_profile.py`` measures the server's CPU per tip and its queries in-process,
without a load (see docs/adr/0009).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from binhyen.tips.pow import digest_for, leading_zero_bits  # noqa: E402

HOST = "127.0.0.1"
DB_NAME = os.environ.get("LOADTEST_DB", "binhyen_load")
PG_ADMIN_URL = os.environ.get(
    "LOADTEST_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
DB_URL = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
SECONDS = float(os.environ.get("LOADTEST_SECONDS", "60"))
RESTART = os.environ.get("LOADTEST_RESTART", "1") not in ("0", "false", "no")
RESTART_SECONDS = float(os.environ.get("LOADTEST_RESTART_SECONDS", "20"))
CLIENTS = int(os.environ.get("LOADTEST_CLIENTS", "24"))
WORKERS = int(os.environ.get("LOADTEST_WORKERS", "2"))
THREADS = int(os.environ.get("LOADTEST_THREADS", "2"))
POW_BITS = int(os.environ.get("LOADTEST_POW_BITS", "8"))
CACHE_URL = os.environ.get("LOADTEST_CACHE_URL", "redis://127.0.0.1:6379/7")
PER_SOURCE = 5  # submissions per simulated source: below the default limit of 10 an hour
TIMEOUT = 15.0
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")

DESCRIPTIONS = [
    "Có người lạ đi xe máy không biển số dò xét các nhà trong ngõ vào ban đêm.",
    "Quán karaoke mở nhạc quá 23 giờ, nhiều lần nhắc không chấp hành.",
    "Nhóm thanh niên tụ tập đánh bạc ở bãi đất trống cạnh nhà văn hóa.",
    "Có người gọi điện xưng công an yêu cầu chuyển tiền để xác minh tài khoản.",
]


def log(message: str) -> None:
    print(message, flush=True)


# --- PostgreSQL and the server ------------------------------------------------------------------


def pg_connect(url: str) -> Any:
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=5)


def pg_wait(timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with pg_connect(PG_ADMIN_URL) as conn:
                conn.execute("SELECT 1")
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def pg_cluster_command(action: str) -> list[str]:
    versions = sorted(os.listdir("/etc/postgresql"))
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", action]


def ensure_postgres() -> None:
    try:
        pg_wait(timeout=2)
    except Exception:
        log("PostgreSQL is not answering: starting the cluster")
        subprocess.run(pg_cluster_command("start"), check=True)  # noqa: S603
        pg_wait()


def server_env(media_root: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIPS_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": DB_URL,
            "DEBUG": "0",
            "SECRET_KEY": "loadtest-" + secrets.token_hex(24),
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "CONN_MAX_AGE": "60",
            "LOG_LEVEL": "ERROR",
            "MEDIA_ROOT": media_root,
            "TIPS_POW_BITS": str(POW_BITS),
            "TIPS_CLIENT_IP_HEADER": "X-Loadtest-Client",
        }
    )
    # Several workers share their rate-limit counters and spent challenges only through a
    # shared cache, as a production deployment must: Redis when it answers.
    if CACHE_URL and _reachable(CACHE_URL):
        env["CACHE_URL"] = CACHE_URL
    else:
        log("Redis is not answering: each worker keeps its own cache (per-process limits)")
    return env


def _reachable(url: str) -> bool:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname or HOST, parsed.port or 6379), 2).close()
    except OSError:
        return False
    return True


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def prepare_database(env: dict[str, str]) -> None:
    with pg_connect(PG_ADMIN_URL) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not exists:
            log(f"Creating database {DB_NAME}")
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")  # as a deployment does (DEBUG off)
    with pg_connect(DB_URL) as conn:
        communes = conn.execute(
            "SELECT count(*) FROM orgunits_orgunit WHERE kind = 'commune' AND valid_to IS NULL"
        ).fetchone()[0]
    if communes < 3000:
        log("Importing the administrative map (once; about 20 s)")
        manage(env, "orgunits_import", "-v", "0")
    with pg_connect(DB_URL) as conn:
        conn.execute(
            "TRUNCATE tips_tipmedia, tips_tipmessage, tips_zalodelivery, tips_tip RESTART IDENTITY"
        )
        conn.execute("DELETE FROM core_auditevent WHERE action LIKE 'tip.%%'")
        # Clean up now, so autovacuum does not run on the same cores during the measurement.
        conn.execute("VACUUM (ANALYZE) core_auditevent")


def commune_codes(limit: int = 300) -> list[str]:
    with pg_connect(DB_URL) as conn:
        rows = conn.execute(
            "SELECT code FROM orgunits_orgunit WHERE kind = 'commune' AND valid_to IS NULL "
            "ORDER BY code LIMIT %s",
            [limit],
        ).fetchall()
    return [r[0] for r in rows]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [
        GUNICORN, "config.wsgi:application",
        "--bind", f"{HOST}:{port}",
        "--workers", str(WORKERS),
        "--worker-class", "gthread",
        "--threads", str(THREADS),
        "--keep-alive", "30",
        "--backlog", "2048",
        "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1) as sock:
                sock.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                if b" 200 " in sock.recv(100):
                    return process
        except OSError:
            pass
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited during start-up")
        time.sleep(0.3)
    stop_server(process)
    raise RuntimeError("gunicorn did not answer /healthz in 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- the load generator (asyncio, HTTP/1.1 keep-alive, loopback only) ----------------------------


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, body: bytes = b"", source: str = ""
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        if self.reader is None or self.writer is None:
            raise ConnectionError("not connected")
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nAccept: application/json\r\n"
            f"X-Loadtest-Client: {source}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.writer.write(head + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed by server")
        status = int(status_line.split()[1])
        length, chunked, close = 0, False, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and value == "close":
                close = True
        if chunked:
            data = b""
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                if size == 0:
                    await self.reader.readline()
                    break
                data += await self.reader.readexactly(size)
                await self.reader.readline()
        else:
            data = await self.reader.readexactly(length) if length else b""
        if close:
            await self.close()
        return status, data


def solve(token: str, bits: int) -> str:
    counter = 0
    while leading_zero_bits(digest_for(token, str(counter))) < bits:
        counter += 1
    return str(counter)


@dataclass
class Stats:
    started: float = 0.0
    ended: float = 0.0
    submit_latency: list[float] = field(default_factory=list)
    challenge_latency: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    acknowledged: list[str] = field(default_factory=list)
    timeline: list[tuple[float, str]] = field(default_factory=list)
    server_cpu: float = 0.0
    client_cpu: float = 0.0

    @property
    def errors(self) -> int:
        return sum(n for key, n in self.statuses.items() if key != "201")


async def client_loop(
    index: int, port: int, communes: list[str], stats: Stats, deadline: float, run_id: str
) -> None:
    conn = Connection(port)
    sent = 0
    while time.monotonic() < deadline:
        source = f"{run_id}-{index}-{sent // PER_SOURCE}"
        try:
            t0 = time.monotonic()
            status, data = await asyncio.wait_for(
                conn.request("GET", "/api/v1/tips/challenge", source=source), TIMEOUT
            )
            stats.challenge_latency.append(time.monotonic() - t0)
            if status != 200:
                stats.statuses[f"challenge:{status}"] += 1
                await asyncio.sleep(0.05)
                continue
            challenge = json.loads(data)
            payload = {
                "kind": "crime",
                "description": DESCRIPTIONS[sent % len(DESCRIPTIONS)],
                "commune_code": communes[(index * 7919 + sent) % len(communes)],
                "proof": {
                    "token": challenge["token"],
                    "solution": solve(challenge["token"], challenge["bits"]),
                },
            }
            body = json.dumps(payload).encode()
            t1 = time.monotonic()
            status, data = await asyncio.wait_for(
                conn.request("POST", "/api/v1/tips/", body, source=source), TIMEOUT
            )
            elapsed = time.monotonic() - t1
            sent += 1
            stats.statuses[str(status)] += 1
            stats.timeline.append((t1, str(status)))
            if status == 201:
                stats.submit_latency.append(elapsed)
                stats.acknowledged.append(json.loads(data)["tracking_code"])
            elif status >= 500:
                await asyncio.sleep(0.05)
        except (
            TimeoutError,
            OSError,
            ConnectionError,
            asyncio.IncompleteReadError,
            ValueError,
        ) as exc:
            stats.statuses[f"conn:{type(exc).__name__}"] += 1
            stats.timeline.append((time.monotonic(), "conn"))
            await conn.close()
            await asyncio.sleep(0.05)
    await conn.close()


async def run_load(
    port: int, communes: list[str], seconds: float, stats: Stats, server_pid: int
) -> None:
    run_id = secrets.token_hex(3)
    cpu_server = process_tree_cpu(server_pid)
    cpu_client = time.process_time()
    stats.started = time.monotonic()
    deadline = stats.started + seconds
    await asyncio.gather(
        *(client_loop(i, port, communes, stats, deadline, run_id) for i in range(CLIENTS))
    )
    stats.ended = time.monotonic()
    stats.server_cpu = process_tree_cpu(server_pid) - cpu_server
    stats.client_cpu = time.process_time() - cpu_client


def process_tree_cpu(root_pid: int) -> float:
    """Return the CPU seconds used so far by ``root_pid`` and its children (Linux /proc)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root_pid or ppid == root_pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def stored_count(codes: list[str]) -> tuple[int, int]:
    """Return (acknowledged codes found in the database, tips stored in total)."""
    with pg_connect(DB_URL) as conn:
        found = 0
        for i in range(0, len(codes), 5000):
            chunk = codes[i : i + 5000]
            found += conn.execute(
                "SELECT count(*) FROM tips_tip WHERE tracking_code = ANY(%s)", [chunk]
            ).fetchone()[0]
        total = conn.execute("SELECT count(*) FROM tips_tip").fetchone()[0]
    return found, total


def report(name: str, stats: Stats, before_total: int) -> dict[str, Any]:
    duration = stats.ended - stats.started
    acknowledged = len(stats.acknowledged)
    found, total = stored_count(stats.acknowledged)
    result = {
        "phase": name,
        "seconds": round(duration, 1),
        "clients": CLIENTS,
        "workers": WORKERS,
        "threads": THREADS,
        "submissions_per_s": round(acknowledged / duration, 1) if duration else 0.0,
        "p50_ms": round(percentile(stats.submit_latency, 0.50) * 1000, 1),
        "p99_ms": round(percentile(stats.submit_latency, 0.99) * 1000, 1),
        "max_ms": round(max(stats.submit_latency, default=0.0) * 1000, 1),
        "challenge_p50_ms": round(percentile(stats.challenge_latency, 0.50) * 1000, 1),
        "acknowledged": acknowledged,
        "acknowledged_stored": found,
        "lost": acknowledged - found,
        "stored_this_phase": total - before_total,
        "errors": stats.errors,
        "statuses": dict(sorted(stats.statuses.items())),
        "server_cpu_ms_per_submission": round(stats.server_cpu * 1000 / max(acknowledged, 1), 2),
        "generator_cpu_ms_per_submission": round(stats.client_cpu * 1000 / max(acknowledged, 1), 2),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    log("")
    log(f"== {name} ==")
    log(
        f"  {result['submissions_per_s']} submissions/s over {result['seconds']} s "
        f"({CLIENTS} clients; gunicorn {WORKERS} workers x {THREADS} threads)"
    )
    log(
        f"  latency of submissions: p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
        f"max {result['max_ms']} ms"
    )
    log(f"  responses: {result['statuses']}  (errors: {result['errors']})")
    log(
        f"  CPU per submission: gunicorn {result['server_cpu_ms_per_submission']} ms, "
        f"generator {result['generator_cpu_ms_per_submission']} ms; machine load average "
        f"{result['load_average_1m']} (other work on the same 2 cores counts against us)"
    )
    log(
        f"  acknowledged {acknowledged}, of which stored {found}; lost {result['lost']}; "
        f"rows stored in this phase {result['stored_this_phase']}"
    )
    return result


def restart_postgres(at: float, record: dict[str, float]) -> None:
    time.sleep(at)
    record["restart_begin"] = time.monotonic()
    subprocess.run(pg_cluster_command("restart"), check=True, capture_output=True)  # noqa: S603
    record["restart_end"] = time.monotonic()


def outage_summary(stats: Stats, record: dict[str, float]) -> dict[str, Any]:
    begin, end = record.get("restart_begin", 0.0), record.get("restart_end", 0.0)
    during = Counter(status for t, status in stats.timeline if begin - 0.5 <= t <= end + 5)
    five_hundreds = sum(
        n for key, n in stats.statuses.items() if key.startswith("50") and key != "503"
    )
    summary = {
        "restart_seconds": round(end - begin, 2),
        "statuses_around_restart": dict(sorted(during.items())),
        "http_500s": five_hundreds,
    }
    log(
        f"  PostgreSQL restart took {summary['restart_seconds']} s; responses from the restart "
        f"to 5 s after: {summary['statuses_around_restart']}; 5xx other than 503: {five_hundreds}"
    )
    return summary


def main() -> int:
    ensure_postgres()
    media_root = tempfile.mkdtemp(prefix="binhyen-loadtest-media-")
    env = server_env(media_root)
    prepare_database(env)
    communes = commune_codes()
    port = free_port()
    log(f"Starting gunicorn on {HOST}:{port} ({WORKERS} workers x {THREADS} threads)")
    server = start_server(env, port)
    results: list[dict[str, Any]] = []
    ok = True
    try:
        warm = Stats()
        asyncio.run(run_load(port, communes, 3, warm, server.pid))
        _found, before = stored_count([])
        stats = Stats()
        log(f"Phase 1: {SECONDS:.0f} s of submissions")
        asyncio.run(run_load(port, communes, SECONDS, stats, server.pid))
        result = report("steady load", stats, before)
        results.append(result)
        ok = ok and result["lost"] == 0
        if RESTART:
            _found, before = stored_count([])
            stats = Stats()
            record: dict[str, float] = {}
            log(f"Phase 2: {RESTART_SECONDS:.0f} s of submissions, PostgreSQL restarted at 6 s")
            import threading

            restarter = threading.Thread(target=restart_postgres, args=(6.0, record))
            restarter.start()
            asyncio.run(run_load(port, communes, RESTART_SECONDS, stats, server.pid))
            restarter.join()
            pg_wait()
            result = report("PostgreSQL restart", stats, before)
            result.update(outage_summary(stats, record))
            results.append(result)
            ok = ok and result["lost"] == 0 and result["http_500s"] == 0
    finally:
        stop_server(server)
        shutil.rmtree(media_root, ignore_errors=True)
    log("")
    for result in results:
        log(json.dumps(result, ensure_ascii=False))
    log("RESULT: " + ("no acknowledged tip lost, no 500" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
