"""Printable Word documents: the recognition certificate and the list attached to a decision.

Layout follows NĐ 30/2020/NĐ-CP, Phụ lục I where it is known: A4 portrait; margins top and
bottom 20 mm, left 30 mm, right 15 mm; Times New Roman; the issuing body upper case at the
top left, the national title (13, bold, upper case) and motto (14, bold) at the top right
with a rule under the motto; place and date in italics with two-digit day and month.
Sizes the decree does not fix in the known text (body, signature block) use 14.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from binhyen.core.formats import format_date
from binhyen.programs.models import Decision, Enrollment, EnrollmentStatus

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Times New Roman"
# The national title and motto are fixed by NĐ 30/2020/NĐ-CP and never translated.
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def _document(landscape: bool = False) -> DocumentObject:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = (
        (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    )
    section.top_margin = Mm(20)
    section.bottom_margin = Mm(20)
    section.left_margin = Mm(30)
    section.right_margin = Mm(15)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(0)
    return doc


def _run(
    paragraph: object, text: str, *, size: int = 14, bold: bool = False, italic: bool = False
) -> None:
    run = paragraph.add_run(text)  # type: ignore[attr-defined]
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    run.font.name = FONT


def _header(
    doc: DocumentObject, issuing_body: str, parent_body: str, place: str, day: date
) -> None:
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    p = left.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if parent_body:
        _run(p, parent_body.upper(), size=13)
        p = left.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, issuing_body.upper(), size=13, bold=True)
    p = right.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, NATIONAL_TITLE, size=13, bold=True)
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, MOTTO, size=14, bold=True)
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, "―――――――――――――", size=8)
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    dated = _("%(place)s, ngày %(d)s tháng %(m)s năm %(y)s") % {
        "place": place,
        "d": f"{day:%d}",
        "m": f"{day:%m}",
        "y": f"{day:%Y}",
    }
    _run(p, dated, size=14, italic=True)


def _centered(
    doc: DocumentObject, text: str, *, size: int = 14, bold: bool = False, before: int = 0
) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(before)
    _run(p, text, size=size, bold=bold)


def _signature(doc: DocumentObject, title: str, signer: str) -> None:
    table = doc.add_table(rows=1, cols=2)
    cell = table.rows[0].cells[1]
    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(12)
    _run(p, (title or _("Người ký")).upper(), size=14, bold=True)
    for _blank in range(3):
        cell.add_paragraph()
    p = cell.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, signer, size=14, bold=True)


def _bytes(doc: DocumentObject) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _reference(decision: Decision, template: str) -> str:
    return template % {
        "number": decision.number,
        "date": format_date(decision.issued_on),
        "body": decision.issuing_body,
    }


def _place(decision: Decision) -> str:
    unit = decision.orgunit
    return unit.short_name or unit.name


def certificate(enrollment: Enrollment) -> bytes:
    """Return the recognition certificate of a recognised file (.docx)."""
    decision = enrollment.decision
    if decision is None or enrollment.status != EnrollmentStatus.RECOGNISED:
        raise ValueError("only a recognised file has a certificate")
    doc = _document(landscape=True)
    _header(doc, decision.issuing_body, "", _place(decision), decision.issued_on)
    _centered(doc, _("GIẤY CHỨNG NHẬN"), size=26, bold=True, before=24)
    _centered(doc, enrollment.program.name.upper(), size=15, bold=True, before=6)
    _centered(
        doc,
        _("Chứng nhận: %(unit)s") % {"unit": enrollment.unit.name},
        size=18,
        bold=True,
        before=18,
    )
    parent = enrollment.unit.parent
    if parent is not None:
        _centered(doc, parent.name, size=14)
    period = enrollment.period_value
    _centered(
        doc,
        _("Đã được công nhận %(program)s — %(period)s")
        % {"program": enrollment.program.name, "period": period.label},
        size=14,
        before=12,
    )
    if enrollment.met_count is not None and enrollment.criteria_count:
        _centered(
            doc,
            _("Đạt %(met)s/%(total)s tiêu chí")
            % {"met": enrollment.met_count, "total": enrollment.criteria_count},
            size=14,
        )
    _centered(
        doc,
        _reference(decision, _("(Theo Quyết định số %(number)s ngày %(date)s của %(body)s)")),
        size=13,
        before=6,
    )
    _signature(doc, decision.signer_title, decision.signer)
    return _bytes(doc)


def decision_list(decision: Decision, enrollments: Sequence[Enrollment]) -> bytes:
    """Return the list attached to a decision: every unit with its result (.docx)."""
    doc = _document()
    _header(doc, decision.issuing_body, "", _place(decision), decision.issued_on)
    _centered(doc, _("DANH SÁCH"), size=14, bold=True, before=18)
    classification = any(e.level for e in enrollments)
    title = (
        _("Kết quả xếp loại %(program)s")
        if classification
        else _("Kết quả xét công nhận %(program)s")
    ) % {"program": decision.program.name}
    _centered(doc, title, size=14, bold=True)
    _centered(
        doc,
        _reference(decision, _("(Kèm theo Quyết định số %(number)s ngày %(date)s của %(body)s)")),
        size=14,
    )
    doc.add_paragraph()
    headers = [_("STT"), _("Đơn vị"), _("Thuộc"), _("Tiêu chí đạt"), _("Điểm"), _("Kết quả")]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(p, text, size=13, bold=True)
    for number, e in enumerate(enrollments, start=1):
        if e.level:
            result = str(e.get_level_display())
            if e.capped:
                result += " (" + _("hạ mức do giới hạn tỷ lệ") + ")"
        else:
            result = str(e.get_status_display())
        values = [
            str(number),
            e.unit.name,
            e.unit.parent.name if e.unit.parent else "",
            f"{e.met_count}/{e.criteria_count}" if e.criteria_count else "",
            f"{e.points_total.normalize():f}" if e.points_total is not None else "",
            result,
        ]
        cells = table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, values, strict=True)):
            p = cell.paragraphs[0]
            if index != 1 and index != 2:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(p, text, size=13)
    _signature(doc, decision.signer_title, decision.signer)
    return _bytes(doc)
