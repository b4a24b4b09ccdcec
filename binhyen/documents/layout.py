"""Build the shipped Word templates: the NĐ 30/2020/NĐ-CP layout with docxtpl tags.

``manage.py documents_build_templates`` writes one ``.docx`` per catalogue code into
``binhyen/documents/docx``; the files are committed and a test rebuilds them and compares
bytes, so they stay reproducible (fixed core properties, fixed zip timestamps).

Layout (Phụ lục I of the decree): A4; margins top and bottom 20 mm, left 30 mm, right
15 mm; Times New Roman; the parent body (13, upper case) over the issuing body (13, bold,
upper case) at the top left with "Số: …" under it; the national title (13, bold, upper case)
and motto (14, bold) at the top right with the place and date (14, italic) under them; the
type (14, bold, upper case) and summary (14, bold) centred; body 14; signature block at the
right with "KT."/"TM." where given; "Nơi nhận:" (12, bold italic) and its list (11) at the
left. Tables use 12.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import datetime

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from binhyen.documents.catalogue import SPECS, Spec

FONT = "Times New Roman"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
FIXED_TIME = datetime(2026, 1, 1, 0, 0, 0)  # noqa: DTZ001 - core properties of the shipped files
ZIP_TIME = (2026, 1, 1, 0, 0, 0)

Container = DocumentObject | _Cell


def _document(landscape: bool) -> DocumentObject:
    doc = Document()
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    style.paragraph_format.space_after = Pt(0)
    props = doc.core_properties
    props.author = "Bình Yên"
    props.last_modified_by = "Bình Yên"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    return doc


def para(
    where: Container,
    text: str = "",
    *,
    size: int = 14,
    bold: bool = False,
    italic: bool = False,
    align: str = "justify",
    indent: bool = False,
    before: int = 0,
    after: int = 0,
    first: bool = False,
) -> Paragraph:
    """Add a paragraph with one run (a docxtpl tag must never be split across runs)."""
    p = where.paragraphs[0] if first else where.add_paragraph()
    p.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if indent:
        fmt.first_line_indent = Mm(10)
    if text:
        run = p.add_run(text)
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.italic = italic
    return p


def tag(where: Container, text: str) -> None:
    """Add a paragraph holding only a paragraph-level docxtpl tag ({%p … %})."""
    para(where, text, align="left")


def _no_borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _widths(table: Table, widths_mm: list[float]) -> None:
    """Fix the column widths (Word and LibreOffice both read the grid and the fixed layout)."""
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(int(sum(widths_mm) * 1440 / 25.4)))
    width.set(qn("w:type"), "dxa")
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    tbl_pr.append(width)
    fixed = OxmlElement("w:tblLayout")
    fixed.set(qn("w:type"), "fixed")
    tbl_pr.append(fixed)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def header(doc: DocumentObject, spec: Spec) -> None:
    """The heading block: bodies and number at the left, title, motto and date at the right."""
    wide = 247 if spec.landscape else 165
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _widths(table, [wide * 0.37, wide * 0.66])
    left, right = table.rows[0].cells
    para(left, "{{ body.parent_upper }}", size=13, align="center", first=True)
    para(left, "{{ body.name_upper }}", size=13, bold=True, align="center")
    para(left, "―――――", size=8, align="center")
    if spec.type_code != "GCN":
        para(left, "{{ doc.number_line }}", size=13, align="center", before=4)
    para(right, NATIONAL_TITLE, size=13, bold=True, align="center", first=True)
    para(right, MOTTO, size=14, bold=True, align="center")
    para(right, "――――――――――――――", size=8, align="center")
    para(right, "{{ doc.place_date }}", size=14, italic=True, align="right", before=4)


def title(doc: DocumentObject, *, summary: bool = True) -> None:
    tag(doc, "{%p if doc.draft_note %}")
    para(doc, "{{ doc.draft_note }}", size=12, italic=True, align="center", before=6)
    tag(doc, "{%p endif %}")
    para(doc, "{{ doc.type_upper }}", bold=True, align="center", before=12)
    if summary:
        para(doc, "{{ doc.summary }}", bold=True, align="center")
        para(doc, "――――――", size=8, align="center", after=6)


def heading(doc: DocumentObject, text: str) -> None:
    para(doc, text, bold=True, align="justify", indent=True, before=6)


def narrative(doc: DocumentObject, key: str) -> None:
    tag(doc, f"{{%p if narrative.{key} %}}")
    para(doc, f"{{{{ narrative.{key} }}}}", indent=True)
    tag(doc, "{%p endif %}")


def grid(
    doc: DocumentObject,
    headers: list[str],
    cells: list[str],
    loop: str,
    widths: list[float],
    *,
    size: int = 12,
    empty: str = "",
) -> None:
    """A bordered table: a bold header row, then one row per item of ``loop``."""
    if empty:
        tag(doc, f"{{%p if {loop.split(' in ')[1].strip()} %}}")
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, widths)
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        para(cell, text, size=size, bold=True, align="center", first=True)
    for index, cell in enumerate(table.rows[1].cells):
        para(cell, f"{{%tr for {loop} %}}" if index == 0 else "", size=size, first=True)
    for index, (cell, text) in enumerate(zip(table.rows[2].cells, cells, strict=True)):
        align = "left" if index == 1 else "center"
        para(cell, text, size=size, align=align, first=True)
    for index, cell in enumerate(table.rows[3].cells):
        para(cell, "{%tr endfor %}" if index == 0 else "", size=size, first=True)
    if empty:
        tag(doc, "{%p else %}")
        para(doc, empty, italic=True, indent=True)
        tag(doc, "{%p endif %}")


def figures_table(doc: DocumentObject) -> None:
    grid(
        doc,
        [
            "TT",
            "Nội dung",
            "Kỳ này",
            "Kỳ trước",
            "So với kỳ trước",
            "Cùng kỳ năm trước",
            "So với cùng kỳ",
            "Chỉ tiêu giao",
        ],
        [
            "{{ f.n }}",
            "{{ f.name }} ({{ f.unit }})",
            "{{ f.value }}",
            "{{ f.previous }}",
            "{{ f.change }}",
            "{{ f.last_year }}",
            "{{ f.yoy }}",
            "{{ f.target }}",
        ],
        "f in figures",
        [8, 41, 16, 16, 23, 17, 23, 21],
        size=11,
        empty="Chưa có số liệu của kỳ.",
    )
    tag(doc, "{%p if targets_note %}")
    para(doc, "{{ targets_note }}", size=12, italic=True, indent=True)
    tag(doc, "{%p endif %}")


def highlights(doc: DocumentObject) -> None:
    tag(doc, "{%p for h in highlights %}")
    para(doc, "- {{ h }}", indent=True)
    tag(doc, "{%p endfor %}")


# Certificates (Giấy chứng nhận, Giấy khen): no title block, no "Nơi nhận".
CERTIFICATES = ("GCN", "GK")


def signature(doc: DocumentObject, spec: Spec) -> None:
    wide = 247 if spec.landscape else 165
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [wide * 0.5, wide * 0.5])
    left, right = table.rows[0].cells
    if spec.type_code not in CERTIFICATES:
        para(
            left, "Nơi nhận:", size=12, bold=True, italic=True, align="left", first=True, before=12
        )
        tag(left, "{%p for r in recipients %}")
        para(left, "- {{ r }};", size=11, align="left")
        tag(left, "{%p endfor %}")
        para(left, "- Lưu: VT.", size=11, align="left")
    para(right, "{{ signer.line1 }}", bold=True, align="center", first=True, before=12)
    tag(right, "{%p if signer.line2 %}")
    para(right, "{{ signer.line2 }}", bold=True, align="center")
    tag(right, "{%p endif %}")
    for _blank in range(4):
        para(right)
    para(right, "{{ signer.name }}", bold=True, align="center")


def page_break(doc: DocumentObject) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


# --- one body per template --------------------------------------------------------------------


def _report_body(doc: DocumentObject, spec: Spec) -> None:
    heading(doc, "I. TÌNH HÌNH CHUNG")
    narrative(doc, "situation")
    heading(doc, "II. KẾT QUẢ THỰC HIỆN PHONG TRÀO")
    heading(doc, "1. Kết quả chủ yếu ({{ period.label_lower }})")
    highlights(doc)
    figures_table(doc)
    narrative(doc, "results")
    heading(doc, "2. Hoạt động tuyên truyền, vận động và các hoạt động khác")
    grid(
        doc,
        ["TT", "Hoạt động", "Ngày", "Đơn vị"],
        ["{{ a.n }}", "{{ a.title }}", "{{ a.date }}", "{{ a.unit }}"],
        "a in activities",
        [10, 90, 25, 40],
        empty="Không có hoạt động được ghi nhận trong kỳ.",
    )
    heading(doc, "3. Mô hình tự quản, tổ bảo vệ an ninh, trật tự")
    grid(
        doc,
        ["TT", "Mô hình", "Loại", "Đơn vị"],
        ["{{ s.n }}", "{{ s.name }}", "{{ s.type }}", "{{ s.unit }}"],
        "s in schemes",
        [10, 75, 45, 35],
        empty="Chưa có mô hình tự quản đang hoạt động.",
    )
    para(doc, "{{ teams.sentence }}", indent=True)
    heading(doc, "4. Kết quả xây dựng, công nhận, xếp loại")
    grid(
        doc,
        ["TT", "Chương trình", "Đăng ký", "Được công nhận"],
        ["{{ p.n }}", "{{ p.name }}", "{{ p.enrolled }}", "{{ p.recognised }}"],
        "p in programmes",
        [10, 95, 30, 30],
        empty="Chưa có kết quả công nhận trong kỳ.",
    )
    if spec.code == "bao-cao-phong-trao-tinh":
        heading(doc, "5. Tình hình báo cáo của cấp xã")
        para(doc, "{{ completeness.sentence }}", indent=True)
    heading(doc, "III. ĐÁNH GIÁ CHUNG")
    narrative(doc, "assessment")
    heading(doc, "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI")
    narrative(doc, "plan")
    heading(doc, "V. ĐỀ XUẤT, KIẾN NGHỊ")
    narrative(doc, "proposals")


def _annex(doc: DocumentObject) -> None:
    page_break(doc)
    para(doc, "PHỤ LỤC", bold=True, align="center")
    para(doc, "Số liệu theo đơn vị cấp xã, {{ period.label_lower }}", bold=True, align="center")
    para(
        doc,
        "(Kèm theo Báo cáo {{ doc.reference }} ngày {{ doc.date }} của {{ body.name }})",
        italic=True,
        size=13,
        align="center",
        after=6,
    )
    heads = [f"{{{{ annex_head[{i}] }}}}" for i in range(6)]
    grid(
        doc,
        ["TT", "Đơn vị", *heads, "Báo cáo"],
        [
            "{{ r.n }}",
            "{{ r.name }}",
            *[f"{{{{ r.cols[{i}] }}}}" for i in range(6)],
            "{{ r.sent }}",
        ],
        "r in annex",
        [8, 40, 17, 17, 17, 17, 17, 17, 15],
        size=10,
        empty="Không có đơn vị cấp xã.",
    )


def _decision_body(doc: DocumentObject, spec: Spec) -> None:
    para(doc, "{{ signer.authority_upper }}", bold=True, align="center", before=12, after=6)
    narrative(doc, "grounds")
    para(doc, "QUYẾT ĐỊNH:", bold=True, align="center", before=6, after=6)
    if spec.code == "quyet-dinh-khen-thuong":
        para(
            doc,
            "Điều 1. Khen thưởng {{ items|length }} tập thể, cá nhân có thành tích trong "
            "phong trào toàn dân bảo vệ an ninh Tổ quốc {{ period.label_lower }} "
            "(có danh sách kèm theo).",
            indent=True,
        )
    else:
        para(
            doc,
            "Điều 1. Công nhận {{ items|length }} đơn vị đạt {{ programme.name }} "
            "{{ period.label_lower }} (có danh sách kèm theo).",
            indent=True,
        )
    tag(doc, "{%p for i in items %}")
    para(doc, "{{ i.n }}. {{ i.name }} ({{ i.parent }}).", indent=True)
    tag(doc, "{%p endfor %}")
    para(doc, "Điều 2. {{ narrative.article2 }}", indent=True)
    para(doc, "Điều 3. {{ narrative.article3 }}", indent=True)


def _list_body(doc: DocumentObject) -> None:
    para(
        doc,
        "(Kèm theo Quyết định số {{ doc.reference }} ngày {{ doc.date }} của {{ body.name }})",
        italic=True,
        align="center",
        after=6,
    )
    grid(
        doc,
        ["TT", "Đơn vị", "Thuộc", "Tiêu chí đạt", "Điểm", "Kết quả"],
        [
            "{{ i.n }}",
            "{{ i.name }}",
            "{{ i.parent }}",
            "{{ i.criteria }}",
            "{{ i.points }}",
            "{{ i.result }}",
        ],
        "i in items",
        [10, 50, 40, 22, 18, 25],
        empty="Không có đơn vị trong danh sách.",
    )


def _certificate_body(doc: DocumentObject) -> None:
    para(doc, "{{ doc.type_upper }}", size=26, bold=True, align="center", before=24)
    para(doc, "{{ programme.name_upper }}", size=15, bold=True, align="center", before=6)
    tag(doc, "{%p for i in items %}")
    para(doc, "Chứng nhận: {{ i.name }}", size=18, bold=True, align="center", before=18)
    para(doc, "{{ i.parent }}", align="center")
    para(doc, "Đã đạt {{ programme.name }} {{ period.label_lower }}", align="center", before=12)
    para(doc, "{{ i.criteria_sentence }}", align="center")
    tag(doc, "{%p endfor %}")


def _reward_certificate_body(doc: DocumentObject) -> None:
    """One page per recipient of the unit's reward decisions in the period."""
    tag(doc, "{%p if not items %}")
    para(doc, "{{ doc.type_upper }}", size=26, bold=True, align="center", before=24)
    para(doc, "Chưa có tập thể, cá nhân nào được khen trong kỳ.", italic=True, align="center")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for i in items %}")
    para(doc, "{{ doc.type_upper }}", size=26, bold=True, align="center", before=24)
    para(doc, "Tặng: {{ i.name }}", size=18, bold=True, align="center", before=18)
    para(doc, "{{ i.parent }}", align="center")
    para(
        doc,
        "Đã có thành tích trong phong trào toàn dân bảo vệ an ninh Tổ quốc "
        "{{ period.label_lower }}",
        align="center",
        before=12,
    )
    para(doc, "{{ i.result }}", italic=True, align="center")
    tag(doc, "{%p if not loop.last %}")
    page_break(doc)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")


def _plan_body(doc: DocumentObject) -> None:
    heading(doc, "I. MỤC ĐÍCH, YÊU CẦU")
    narrative(doc, "purpose")
    heading(doc, "II. CHỈ TIÊU CHỦ YẾU")
    figures_table(doc)
    heading(doc, "III. NỘI DUNG, NHIỆM VỤ, GIẢI PHÁP")
    narrative(doc, "tasks")
    heading(doc, "IV. TỔ CHỨC THỰC HIỆN")
    narrative(doc, "organisation")


def _hotspot_body(doc: DocumentObject) -> None:
    heading(doc, "I. TÌNH HÌNH CHUNG")
    narrative(doc, "situation")
    heading(doc, "II. KẾT QUẢ CHUYỂN HÓA")
    highlights(doc)
    figures_table(doc)
    grid(
        doc,
        ["TT", "Địa bàn", "Diện", "Trạng thái", "Tiến độ nhiệm vụ"],
        ["{{ h.n }}", "{{ h.name }}", "{{ h.regime }}", "{{ h.status }}", "{{ h.progress }}"],
        "h in hotspots",
        [10, 60, 40, 30, 25],
        empty="Không có địa bàn trọng điểm trong kỳ.",
    )
    heading(doc, "III. ĐÁNH GIÁ CHUNG")
    narrative(doc, "assessment")
    heading(doc, "IV. PHƯƠNG HƯỚNG KỲ TỚI")
    narrative(doc, "plan")


def _tips_body(doc: DocumentObject) -> None:
    heading(doc, "I. KẾT QUẢ TIẾP NHẬN, XỬ LÝ")
    highlights(doc)
    figures_table(doc)
    heading(doc, "II. ĐÁNH GIÁ CHUNG")
    narrative(doc, "assessment")
    heading(doc, "III. PHƯƠNG HƯỚNG KỲ TỚI")
    narrative(doc, "plan")


BODIES: dict[str, Callable[[DocumentObject, Spec], None]] = {
    "bao-cao-phong-trao-xa": _report_body,
    "bao-cao-phong-trao-tinh": _report_body,
    "quyet-dinh-cong-nhan": _decision_body,
    "quyet-dinh-khen-thuong": _decision_body,
    "danh-sach-cong-nhan": lambda doc, spec: _list_body(doc),
    "giay-chung-nhan": lambda doc, spec: _certificate_body(doc),
    "giay-khen": lambda doc, spec: _reward_certificate_body(doc),
    "ke-hoach-nam": lambda doc, spec: _plan_body(doc),
    "bao-cao-chuyen-hoa-dia-ban": lambda doc, spec: _hotspot_body(doc),
    "bao-cao-tin-bao": lambda doc, spec: _tips_body(doc),
}


def build(spec: Spec) -> bytes:
    """Return the shipped template of ``spec`` as reproducible ``.docx`` bytes."""
    doc = _document(spec.landscape)
    header(doc, spec)
    if spec.type_code not in CERTIFICATES:
        title(doc, summary=spec.code != "danh-sach-cong-nhan")
    else:
        tag(doc, "{%p if doc.draft_note %}")
        para(doc, "{{ doc.draft_note }}", size=12, italic=True, align="center")
        tag(doc, "{%p endif %}")
    if spec.code == "danh-sach-cong-nhan":
        para(doc, "{{ doc.summary }}", bold=True, align="center")
    BODIES[spec.code](doc, spec)
    signature(doc, spec)
    if spec.code == "bao-cao-phong-trao-tinh":
        _annex(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite the zip with fixed timestamps and order so the bytes never depend on the clock."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in sorted(source.namelist(), key=lambda n: (n != "[Content_Types].xml", n)):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name))
    return out.getvalue()


def build_all() -> dict[str, bytes]:
    """Return every shipped template by file name."""
    return {spec.filename: build(spec) for spec in SPECS}
