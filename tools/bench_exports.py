"""Benchmark the national Excel export, called by ``tools/bench.py`` on each benchmark database.

One JSON line: 1,000,000 values of the synthetic national dataset (27 commune metrics × the
3,321 current communes × 12 months, 2025M07–2026M06, cut at exactly one million values),
one row per commune and metric with a column per month, streamed to an ``.xlsx`` file.
``ours`` is the product's export path (``binhyen.core.tabular.write_table``: a write-only
workbook, every number a typed cell with its number format ``#,##0`` / ``#,##0.0#``);
``baseline`` is plain openpyxl write-only ``append`` of the same rows (untyped, no formats).
Each side runs in its own process so ``peak_rss_mb`` (``ru_maxrss``) is its own; the target
is < 60 s and a peak RSS < 300 MB with flat memory (the rows are never held in a list).
``match`` says both files hold the same number of rows and values. ``*_cpu_ms`` is the CPU
time of each side and ``load_1min`` the machine's load: on a shared machine the wall time
also counts the time spent waiting for a processor.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VALUES = 1_000_000
MONTHS = [f"2025M{m:02d}" for m in range(7, 13)] + [f"2026M{m:02d}" for m in range(1, 7)]
METRICS = [f"b{i:02d}" for i in range(1, 28)]
TARGET_MS = 60_000.0
TARGET_RSS_MB = 300.0
CHUNK = 5000


def _rows() -> Iterator[list[Any]]:
    """Yield one row per (commune, metric): code, name, metric, then one value per month."""
    from binhyen.indicators.models import DataValue

    column = {code: i for i, code in enumerate(MONTHS)}
    values = (
        DataValue.objects.filter(
            period__in=MONTHS,
            metric__code__in=METRICS,
            orgunit__kind="commune",
            orgunit__valid_to__isnull=True,
        )
        .order_by("orgunit__path", "metric__code", "period")
        .values_list("orgunit__code", "orgunit__name", "metric__code", "period", "value")
        .iterator(chunk_size=CHUNK)
    )
    current: tuple[str, str] | None = None
    row: list[Any] = []
    for count, (code, name, metric, period, value) in enumerate(values, start=1):
        if (code, metric) != current:
            if current is not None:
                yield row
            current = (code, metric)
            row = [code, name, metric, *([None] * len(MONTHS))]
        row[3 + column[period]] = value
        if count == VALUES:
            break
    if current is not None:
        yield row


def _headers() -> list[str]:
    return ["Mã đơn vị", "Đơn vị", "Chỉ tiêu", *MONTHS]


def run(mode: str, out: str) -> dict[str, Any]:
    """Write the export in this process; return its time, rows, values and peak RSS."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from openpyxl import Workbook

    from binhyen.core import tabular

    rows = values = 0

    def counted() -> Iterator[list[Any]]:
        nonlocal rows, values
        for row in _rows():
            rows += 1
            values += sum(1 for v in row[3:] if v is not None)
            yield row

    start = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = start.ru_utime + start.ru_stime
    t0 = time.perf_counter()
    with open(out, "wb") as handle:
        if mode == "ours":
            tabular.write_table(
                handle,
                title="Toàn quốc",
                headers=_headers(),
                rows=counted(),
                formats=(None, None, None, *([tabular.INTEGER_FORMAT] * len(MONTHS))),
            )
        else:
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("Toàn quốc")
            sheet.append(_headers())
            for row in counted():
                sheet.append(row)
            workbook.save(handle)
    elapsed = (time.perf_counter() - t0) * 1000.0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024.0
    return {
        "ms": elapsed,
        "cpu_ms": (usage.ru_utime + usage.ru_stime - cpu0) * 1000.0,
        "rows": rows,
        "values": values,
        "peak_rss_mb": peak,
        "file_mb": os.path.getsize(out) / 1e6,
    }


def _child(mode: str, out: str) -> dict[str, Any]:
    proc = subprocess.run(  # noqa: S603 - this very script, in a fresh process
        [sys.executable, __file__, "--mode", mode, "--out", out],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(db: str) -> None:
    """Run both sides in their own processes and print the JSON line."""
    with tempfile.TemporaryDirectory() as tmp:
        ours = _child("ours", os.path.join(tmp, "ours.xlsx"))
        base = _child("baseline", os.path.join(tmp, "baseline.xlsx"))
    print(
        json.dumps(
            {
                "op": "national_excel_export_1m_values",
                "db": db,
                "ours_ms": round(ours["ms"], 1),
                "baseline_ms": round(base["ms"], 1),
                "ratio": round(ours["ms"] / base["ms"], 2) if base["ms"] else None,
                "ours_cpu_ms": round(ours["cpu_ms"], 1),
                "baseline_cpu_ms": round(base["cpu_ms"], 1),
                "load_1min": round(os.getloadavg()[0], 1),
                "rows": ours["rows"],
                "values": ours["values"],
                "match": (ours["rows"], ours["values"]) == (base["rows"], base["values"])
                and ours["values"] == VALUES,
                "target_ms": TARGET_MS,
                "peak_rss_mb": round(ours["peak_rss_mb"], 1),
                "baseline_peak_rss_mb": round(base["peak_rss_mb"], 1),
                "target_rss_mb": TARGET_RSS_MB,
                "file_mb": round(ours["file_mb"], 1),
            }
        ),
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["ours", "baseline"], required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    print(json.dumps(run(args.mode, args.out)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
