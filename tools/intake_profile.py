"""Measure the server CPU of one public tip (challenge + submit) in-process, without a load.

Drives the real WSGI application (``config.wsgi.application``) with raw WSGI environs, as
gunicorn would, through ``N`` pairs of ``GET /api/v1/tips/challenge`` and
``POST /api/v1/tips/`` (the proof-of-work is solved outside the measured time). Prints the
process CPU per pair (``time.process_time``), the SQL queries of each request, and with
``--profile`` the top functions by cumulative time (cProfile).

Settings are production-like: DEBUG off, a random ``SECRET_KEY``, ``ALLOWED_HOSTS``, the
PostgreSQL database ``INTAKE_DB_URL`` (default ``h_intake``; migrate it and run
``manage.py orgunits_import`` once), the same proof-of-work difficulty and per-source
header as ``tools/loadtest.py``. ``CACHE_URL`` is passed through (unset: local memory).

Usage: ``.venv/bin/python tools/intake_profile.py [-n 300] [--rounds 3] [--profile] [--keep]``
(the median and the best round are reported: other work on the machine makes rounds noisy).
Tips created by the run are deleted afterwards unless ``--keep`` is given.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_URL = os.environ.get("INTAKE_DB_URL", "postgres://postgres@127.0.0.1:5432/h_intake")
POW_BITS = os.environ.get("INTAKE_POW_BITS", "8")


def configure() -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": DB_URL,
            "DEBUG": "0",
            "SECRET_KEY": "profile-" + secrets.token_hex(24),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "CONN_MAX_AGE": "60",
            "LOG_LEVEL": "ERROR",
            "TIPS_POW_BITS": POW_BITS,
            "TIPS_CLIENT_IP_HEADER": "X-Loadtest-Client",
        }
    )


def environ(method: str, path: str, body: bytes, source: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT": "application/json",
        "HTTP_X_LOADTEST_CLIENT": source,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def call(app: Any, method: str, path: str, body: bytes, source: str) -> tuple[str, bytes]:
    status: list[str] = []

    def start_response(value: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        status.append(value)
        return lambda data: None

    result = app(environ(method, path, body, source), start_response)
    try:
        data = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return status[0], data


class Pairs:
    """Runs challenge/submit pairs; CPU is counted only inside the application calls."""

    def __init__(self, app: Any, communes: list[str]) -> None:
        from binhyen.tips.pow import solve

        self.app = app
        self.communes = communes
        self.solve = solve
        self.run_id = secrets.token_hex(3)
        self.sent = 0
        self.cpu = 0.0
        self.codes: list[str] = []

    def one(self) -> None:
        source = f"{self.run_id}-{self.sent // 5}"
        t0 = time.process_time()
        status, data = call(self.app, "GET", "/api/v1/tips/challenge", b"", source)
        self.cpu += time.process_time() - t0
        if not status.startswith("200"):
            raise RuntimeError(f"challenge: {status} {data[:300]!r}")
        challenge = json.loads(data)
        body = json.dumps(
            {
                "kind": "crime",
                "description": "Có người lạ đi xe máy không biển số dò xét các nhà trong ngõ.",
                "commune_code": self.communes[self.sent % len(self.communes)],
                "proof": {
                    "token": challenge["token"],
                    "solution": self.solve(challenge["token"], challenge["bits"]),
                },
            }
        ).encode()
        t0 = time.process_time()
        status, data = call(self.app, "POST", "/api/v1/tips/", body, source)
        self.cpu += time.process_time() - t0
        if not status.startswith("201"):
            raise RuntimeError(f"submit: {status} {data[:300]!r}")
        self.codes.append(json.loads(data)["tracking_code"])
        self.sent += 1


def count_queries(pairs: Pairs) -> dict[str, list[str]]:
    """Return the SQL statements of one challenge and one submit (first words only)."""
    from django.db import connection

    seen: list[str] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(" ".join(sql.split())[:110])
        return execute(sql, params, many, context)

    from binhyen.tips.pow import solve

    source = f"{pairs.run_id}-queries"
    with connection.execute_wrapper(wrapper):
        _status, data = call(pairs.app, "GET", "/api/v1/tips/challenge", b"", source)
        challenge_sql = list(seen)
        seen.clear()
        token = json.loads(data)["token"]
        body = json.dumps(
            {
                "kind": "crime",
                "description": "Có người lạ đi xe máy không biển số dò xét các nhà trong ngõ.",
                "commune_code": pairs.communes[0],
                "proof": {"token": token, "solution": solve(token, int(POW_BITS))},
            }
        ).encode()
        status, data = call(pairs.app, "POST", "/api/v1/tips/", body, source)
        if status.startswith("201"):
            pairs.codes.append(json.loads(data)["tracking_code"])
    return {"challenge": challenge_sql, "submit": list(seen)}


def communes_sample(limit: int = 300) -> list[str]:
    from binhyen.orgunits.models import OrgUnit

    codes = list(
        OrgUnit.objects.current()
        .filter(kind="commune")
        .order_by("code")
        .values_list("code", flat=True)[:limit]
    )
    if not codes:
        raise SystemExit("No current commune: run manage.py orgunits_import on the database.")
    return codes


def cleanup(codes: list[str]) -> None:
    from binhyen.core.models import AuditEvent
    from binhyen.tips.models import Tip

    tips = Tip.objects.filter(tracking_code__in=codes)
    ids = [str(pk) for pk in tips.values_list("pk", flat=True)]
    AuditEvent.objects.filter(action="tip.submit", object_id__in=ids).delete()
    tips.delete()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="challenge+submit pairs measured")
    parser.add_argument("--profile", action="store_true", help="print the cProfile top list")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of N pairs")
    parser.add_argument("--keep", action="store_true", help="keep the tips created")
    args = parser.parse_args()
    configure()
    from config.wsgi import application

    pairs = Pairs(application, communes_sample())
    try:
        for _ in range(len(pairs.communes)):  # warm-up: imports, connections, caches
            pairs.one()
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile(time.process_time)
        cpu_rounds: list[float] = []
        wall_rounds: list[float] = []
        for _ in range(1 if profiler else args.rounds):
            pairs.cpu = 0.0
            if profiler is not None:
                profiler.enable()
            wall = time.perf_counter()
            for _ in range(args.n):
                pairs.one()
            wall_rounds.append(time.perf_counter() - wall)
            cpu_rounds.append(pairs.cpu)
            if profiler is not None:
                profiler.disable()
        queries = count_queries(pairs)
    finally:
        if not args.keep:
            cleanup(pairs.codes)
    print(
        json.dumps(
            {
                "pairs": args.n,
                "cpu_ms_per_pair": round(statistics.median(cpu_rounds) * 1000 / args.n, 3),
                "cpu_ms_per_pair_min": round(min(cpu_rounds) * 1000 / args.n, 3),
                "cpu_ms_per_pair_rounds": [round(c * 1000 / args.n, 3) for c in cpu_rounds],
                "wall_ms_per_pair": round(statistics.median(wall_rounds) * 1000 / args.n, 3),
                "queries_challenge": len(queries["challenge"]),
                "queries_submit": len(queries["submit"]),
                "profiled": profiler is not None,
            }
        )
    )
    for name, statements in queries.items():
        for sql in statements:
            print(f"  {name}: {sql}")
    if profiler is not None:
        import pstats

        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
