"""Benchmark of the documents app, called by ``tools/bench.py`` on each benchmark database.

Two JSON lines for a province's 6-month report with its annex by commune (Hà Nội, 126
communes, 2025S1): ``to_docx`` is the whole path (figures, comparisons and the annex from the
indicators engine, completeness, the tables, docxtpl rendering); ``to_pdf`` converts that Word
file with LibreOffice headless (skipped when ``soffice`` is missing). ``baseline`` is one
hand-written GROUP BY of the annex figures (the same communes, metrics and months).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from typing import Any

REPEATS = int(os.environ.get("BENCH_DOCUMENTS_REPEATS", "3"))
PROVINCE = "01"
PERIOD = "2025S1"
DOCX_TARGET_MS = 3000.0
PDF_TARGET_MS = 20000.0


def _median(fn: Any) -> tuple[float, Any]:
    fn()
    times, result = [], None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times), result


def measure(db: str, user: Any) -> None:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from binhyen.documents import context, render, selectors
    from binhyen.documents.catalogue import spec_get
    from binhyen.indicators.models import DataValue, Metric
    from binhyen.orgunits.models import OrgUnit

    settings.DOCUMENTS = {
        **settings.DOCUMENTS,
        "REPORT_METRICS": [f"b{i:02d}" for i in range(1, 20)],
        "ANNEX_METRICS": [f"b{i:02d}" for i in range(1, 7)],
    }
    spec = spec_get("bao-cao-phong-trao-tinh")
    if spec is None:
        raise SystemExit("the province report template is missing from the catalogue")
    unit = OrgUnit.objects.get(code=PROVINCE)
    period = selectors.period_get(PERIOD)
    template = selectors.template_for(spec=spec, unit=unit).content
    communes = OrgUnit.objects.filter(parent=unit, valid_to__isnull=True).count()

    def ours() -> bytes:
        ctx = context.build(
            user=user,
            spec=spec,
            unit=unit,
            period=period,
            profile=selectors.profile_for(unit),
            narrative={},
            number=1,
            issued_on=None,
            summary=context.summary_for(spec, unit, period),
            draft=False,
            on=timezone.localdate(),
        )
        return render.render_docx(template, ctx)

    ids = list(
        Metric.objects.filter(code__in=[f"b{i:02d}" for i in range(1, 7)]).values_list(
            "pk", flat=True
        )
    )
    dv, ou = DataValue._meta.db_table, OrgUnit._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    # The annex by hand: every value under the province, grouped by its commune's path
    # prefix ("/VN/01/00001/"), on the path index: the GROUP BY the engine's own SQL makes.
    prefix = unit.path
    width = len(prefix) + 6
    sql = f"""SELECT substr(u.path, 1, {width}), v.metric_id, SUM(v.value) FROM {ou} u
        JOIN {dv} v ON v.orgunit_id = u.id
        WHERE u.path >= %s AND u.path < %s AND v.metric_id IN ({marks})
          AND v.period_end BETWEEN %s AND %s
        GROUP BY 1, 2"""

    def baseline() -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(sql, [prefix, prefix[:-1] + "0", *ids, period.start, period.end])
            return list(cursor.fetchall())

    base_ms, base_rows = _median(baseline)
    docx_ms, data = _median(ours)
    print(
        json.dumps(
            {
                "op": f"document_province_6mo_report_to_docx({PROVINCE}, {communes} communes)",
                "db": db,
                "ours_ms": round(docx_ms, 1),
                "baseline_ms": round(base_ms, 1),
                "ratio": round(docx_ms / base_ms, 2) if base_ms else None,
                "rows": len(base_rows),
                "bytes": len(data),
                "match": communes == 126 and bool(base_rows),
                "target_ms": DOCX_TARGET_MS,
            }
        ),
        flush=True,
    )
    if render.soffice_path() is None:
        print(json.dumps({"op": "document_to_pdf", "db": db, "skipped": "soffice missing"}))
        return
    t0 = time.perf_counter()
    pdf = render.to_pdf(data)
    pdf_ms = (time.perf_counter() - t0) * 1000.0
    print(
        json.dumps(
            {
                "op": f"document_province_6mo_report_to_pdf({PROVINCE})",
                "db": db,
                "ours_ms": round(pdf_ms + docx_ms, 1),
                "convert_ms": round(pdf_ms, 1),
                "baseline_ms": round(base_ms, 1),
                "bytes": len(pdf),
                "match": pdf.startswith(b"%PDF"),
                "target_ms": PDF_TARGET_MS,
            }
        ),
        flush=True,
    )
