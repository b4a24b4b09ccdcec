"""What a worker does for a ``RenderJob``: Word, PDF, or a province's report pack (zip).

Runs with the requester's scope (the job's user) and language. An issued document is never
re-computed: its stored Word file is served and converted. A draft is computed from the
engine at the time of the job. Progress is written as the job goes, so the page can show it.

The pack of a province for a period holds: the province report (Word, and PDF when
LibreOffice is installed), the annex by commune (Excel: numbers as numbers), the
completeness list and the communes still missing a monthly report (Excel).
"""

from __future__ import annotations

import io
import logging
import zipfile
from typing import Any

from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from binhyen.documents import context as ctx
from binhyen.documents import render, selectors, services
from binhyen.documents.catalogue import spec_get
from binhyen.documents.models import IssuedDocument, JobFormat, RenderJob

logger = logging.getLogger(__name__)
NUMBER_FORMAT = "#,##0.##"


def _draft_docx(job: RenderJob, document: IssuedDocument | None) -> tuple[bytes, str]:
    """Return Word bytes and a file name for the job's document (or template, unit, period)."""

    def progress(pct: int, step: str) -> None:
        services.render_job_progress(job=job, progress=pct, step=step)

    if document is not None and document.is_issued and document.docx_file:
        with default_storage.open(document.docx_file, "rb") as handle:
            return handle.read(), services.document_filename(document, "docx")
    spec = spec_get(job.template_code)
    if spec is None:
        raise ValueError(job.template_code)
    if document is None:
        unit = job.orgunit
        period = selectors.period_get(job.period)
        document = IssuedDocument(
            template_code=spec.code,
            kind=spec.kind,
            orgunit=unit,
            period=period.code,
            summary=ctx.summary_for(spec, unit, period),
            narrative={},
        )
    context = services.document_context(user=job.user, document=document, progress=progress)
    resolved = selectors.template_for(spec=spec, unit=document.orgunit)
    progress(75, _("Ghép văn bản"))
    return render.render_docx(resolved.content, context), services.document_filename(
        document, "docx"
    )


def _sheet(wb: Workbook, title: str, head: list[str], rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(title[:31])
    ws.append(head)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, int | float):
                cell.number_format = NUMBER_FORMAT
    ws.column_dimensions["C"].width = 36


def _xlsx(sheets: list[tuple[str, list[str], list[list[Any]]]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, head, rows in sheets:
        _sheet(wb, title, head, rows)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _pack(job: RenderJob) -> tuple[bytes, str]:
    """Return the zip of a province's report pack for the job's period."""
    user, unit = job.user, job.orgunit
    period = selectors.period_get(job.period)
    services.render_job_progress(job=job, progress=5, step=_("Lập báo cáo của tỉnh"))
    issued = (
        selectors.documents_visible(user)
        .filter(
            orgunit=unit,
            period=period.code,
            template_code="bao-cao-phong-trao-tinh",
            status="issued",
        )
        .order_by("-issued_on")
        .first()
    )
    docx, docx_name = _draft_docx(job, issued)
    files: dict[str, bytes] = {docx_name: docx}
    if render.soffice_path() is not None:
        services.render_job_progress(job=job, progress=80, step=_("Tạo PDF"))
        files[docx_name.rsplit(".", 1)[0] + ".pdf"] = render.to_pdf(docx)
    services.render_job_progress(job=job, progress=88, step=_("Lập phụ lục Excel"))
    state = ctx.completeness(user=user, unit=unit, period=period)
    sent = {r["code"]: f"{r['submitted']}/{r['expected']}" for r in state["rows"] if r["expected"]}
    heads, _rows, raw = ctx.annex(user=user, unit=unit, period=period, sent=sent)
    files["phu-luc-theo-xa.xlsx"] = _xlsx(
        [
            (
                _("Phụ lục theo xã"),
                [_("TT"), _("Mã"), _("Đơn vị"), *[h for h in heads if h], _("Báo cáo tháng")],
                raw,
            )
        ]
    )
    completeness_head = [_("TT"), _("Mã"), _("Đơn vị"), _("Phải nộp"), _("Đã nộp"), _("Còn thiếu")]

    def table(rows: list[dict[str, Any]]) -> list[list[Any]]:
        return [
            [n, r["code"], r["name"], r["expected"], r["submitted"], r["expected"] - r["submitted"]]
            for n, r in enumerate(rows, start=1)
        ]

    files["tinh-hinh-nop-bao-cao.xlsx"] = _xlsx(
        [(_("Tình hình nộp báo cáo"), completeness_head, table(state["rows"]))]
    )
    files["xa-con-thieu-bao-cao.xlsx"] = _xlsx(
        [(_("Xã còn thiếu báo cáo"), completeness_head, table(state["missing"]))]
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue(), f"bo-bao-cao-{unit.code}-{period.code}.zip"


def job_build(job: RenderJob) -> RenderJob:
    """Build the job's file and store it; a failure is recorded on the job, never raised."""
    try:
        with translation.override(job.language):
            if job.fmt == JobFormat.PACK:
                data, name = _pack(job)
            else:
                document = job.document
                docx, name = _draft_docx(job, document)
                data = docx
                if job.fmt == JobFormat.PDF:
                    if document is not None and document.is_issued and document.pdf_file:
                        with default_storage.open(document.pdf_file, "rb") as handle:
                            data = handle.read()
                    else:
                        services.render_job_progress(job=job, progress=80, step=_("Tạo PDF"))
                        data = render.to_pdf(docx)
                        if document is not None and document.is_issued:
                            services.document_pdf_store(
                                actor=job.user, document=document, data=data
                            )
                    name = name.rsplit(".", 1)[0] + ".pdf"
    except render.ConversionError as exc:
        return services.render_job_finish(job=job, data=None, error=str(exc))
    except Exception:
        logger.exception("document job %s failed", job.pk)
        return services.render_job_finish(
            job=job, data=None, error=_("Không tạo được tệp: lỗi khi lập văn bản.")
        )
    return services.render_job_finish(job=job, data=data, filename=name)
