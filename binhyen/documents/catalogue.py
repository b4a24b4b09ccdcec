"""The catalogue of document templates the product ships: codes, kinds, fields and sections.

Invariants:
- Every template code names one shipped ``.docx`` in ``binhyen/documents/docx`` (built by
  ``manage.py documents_build_templates``) and one context builder in ``context.py``.
- ``fields`` is the complete list of top-level names a template of that code may use; an
  uploaded version using any other name is refused (``lint.py``). The second-level names of
  the fixed objects (``body``, ``doc``, ``signer``, ``period``, ``unit``, ``narrative``) are
  checked too.
- ``narrative`` lists the sections the author writes in the draft; their text is kept on
  the document and frozen when it is issued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from binhyen.documents.models import DocumentKind

SHIPPED_DIR = Path(__file__).resolve().parent / "docx"

# Fixed objects every template receives, with the names inside each.
OBJECT_FIELDS: dict[str, frozenset[str]] = {
    "body": frozenset(
        {"name", "name_upper", "parent", "parent_upper", "symbol", "place", "unit_code"}
    ),
    "doc": frozenset(
        {
            "number",
            "reference",
            "number_line",
            "place_date",
            "date",
            "date_long",
            "type_upper",
            "summary",
            "draft_note",
            "is_draft",
        }
    ),
    "signer": frozenset({"prefix", "line1", "line2", "name", "authority_upper"}),
    "period": frozenset({"code", "label", "label_lower", "start", "end", "kind", "closed"}),
    "unit": frozenset({"code", "name", "kind"}),
}
COMMON_FIELDS = frozenset({*OBJECT_FIELDS, "narrative", "recipients"})


@dataclass(frozen=True)
class Section:
    key: str
    label: Promise
    default: Promise | str = ""


@dataclass(frozen=True)
class Spec:
    code: str
    kind: str
    title: Promise
    type_code: str  # the document type's abbreviation in the symbol (BC, QĐ, KH, DS, GCN)
    type_name: Promise  # the type as printed above the summary (upper-cased)
    summary: Promise  # "%(period)s" and "%(unit)s" are filled in
    levels: tuple[str, ...]  # unit kinds that issue it
    extra_fields: frozenset[str] = frozenset()
    narrative: tuple[Section, ...] = ()
    landscape: bool = False
    note: Promise | str = ""
    sections_help: dict[str, str] = field(default_factory=dict)

    @property
    def fields(self) -> frozenset[str]:
        return COMMON_FIELDS | self.extra_fields

    @property
    def filename(self) -> str:
        return f"{self.code}.docx"

    @property
    def shipped_path(self) -> Path:
        return SHIPPED_DIR / self.filename


REPORT_SECTIONS = (
    Section("situation", _("Tình hình chung"), _("Tình hình an ninh, trật tự trên địa bàn …")),
    Section("results", _("Nhận xét kết quả"), ""),
    Section("assessment", _("Đánh giá chung (ưu điểm, hạn chế, nguyên nhân)"), ""),
    Section("plan", _("Phương hướng, nhiệm vụ kỳ tới"), ""),
    Section("proposals", _("Đề xuất, kiến nghị"), ""),
)
REPORT_FIELDS = frozenset(
    {"figures", "highlights", "activities", "schemes", "teams", "programmes", "targets_note"}
)
DECISION_SECTIONS = (
    Section("grounds", _("Căn cứ ban hành"), ""),
    Section("article2", _("Điều 2"), ""),
    Section("article3", _("Điều 3 (trách nhiệm thi hành)"), ""),
)

SPECS: tuple[Spec, ...] = (
    Spec(
        code="bao-cao-phong-trao-xa",
        kind=DocumentKind.PERIODIC_REPORT,
        title=_("Báo cáo kết quả phong trào toàn dân bảo vệ ANTQ — cấp xã"),
        type_code="BC",
        type_name=_("Báo cáo"),
        summary=_("Kết quả thực hiện phong trào toàn dân bảo vệ an ninh Tổ quốc %(period)s"),
        levels=("commune",),
        extra_fields=REPORT_FIELDS,
        narrative=REPORT_SECTIONS,
    ),
    Spec(
        code="bao-cao-phong-trao-tinh",
        kind=DocumentKind.PROVINCE_REPORT,
        title=_("Báo cáo kết quả phong trào toàn dân bảo vệ ANTQ — cấp tỉnh (phụ lục theo xã)"),
        type_code="BC",
        type_name=_("Báo cáo"),
        summary=_("Kết quả thực hiện phong trào toàn dân bảo vệ an ninh Tổ quốc %(period)s"),
        levels=("province",),
        extra_fields=REPORT_FIELDS | {"annex", "annex_head", "completeness"},
        narrative=REPORT_SECTIONS,
    ),
    Spec(
        code="quyet-dinh-cong-nhan",
        kind=DocumentKind.RECOGNITION_DECISION,
        title=_("Quyết định công nhận"),
        type_code="QĐ",
        type_name=_("Quyết định"),
        summary=_("Về việc công nhận các đơn vị đạt danh hiệu, tiêu chuẩn %(period)s"),
        levels=("commune", "province", "country"),
        extra_fields=frozenset({"items", "programme"}),
        narrative=DECISION_SECTIONS,
    ),
    Spec(
        code="danh-sach-cong-nhan",
        kind=DocumentKind.RECOGNITION_LIST,
        title=_("Danh sách kèm theo quyết định công nhận"),
        type_code="QĐ",
        type_name=_("Danh sách"),
        summary=_("Các đơn vị được công nhận %(period)s"),
        levels=("commune", "province", "country"),
        extra_fields=frozenset({"items", "programme"}),
    ),
    Spec(
        code="giay-chung-nhan",
        kind=DocumentKind.CERTIFICATE,
        title=_("Giấy chứng nhận"),
        type_code="GCN",
        type_name=_("Giấy chứng nhận"),
        summary=_("Công nhận %(unit)s %(period)s"),
        levels=("commune", "province", "country"),
        extra_fields=frozenset({"items", "programme"}),
        landscape=True,
    ),
    Spec(
        code="ke-hoach-nam",
        kind=DocumentKind.ANNUAL_PLAN,
        title=_("Kế hoạch thực hiện phong trào năm"),
        type_code="KH",
        type_name=_("Kế hoạch"),
        summary=_("Thực hiện phong trào toàn dân bảo vệ an ninh Tổ quốc %(period)s"),
        levels=("commune", "province"),
        extra_fields=frozenset({"figures", "targets_note"}),
        narrative=(
            Section("purpose", _("Mục đích, yêu cầu"), ""),
            Section("tasks", _("Nội dung, nhiệm vụ, giải pháp"), ""),
            Section("organisation", _("Tổ chức thực hiện"), ""),
        ),
    ),
    Spec(
        code="quyet-dinh-khen-thuong",
        kind=DocumentKind.REWARD_DECISION,
        title=_("Quyết định khen thưởng"),
        type_code="QĐ",
        type_name=_("Quyết định"),
        summary=_("Về việc khen thưởng trong phong trào toàn dân bảo vệ ANTQ %(period)s"),
        levels=("commune", "province", "country"),
        extra_fields=frozenset({"items", "programme"}),
        narrative=DECISION_SECTIONS,
        note=_(
            "Danh sách khen thưởng lấy từ các quyết định khen thưởng của đơn vị trong kỳ; tác giả "
            "bổ sung trong phần lời văn nếu cần."
        ),
    ),
    Spec(
        code="giay-khen",
        kind=DocumentKind.REWARD_CERTIFICATE,
        title=_("Giấy khen"),
        type_code="GK",
        type_name=_("Giấy khen"),
        summary=_("Khen thưởng các tập thể, cá nhân có thành tích %(period)s"),
        levels=("commune", "province", "country"),
        extra_fields=frozenset({"items", "programme"}),
        landscape=True,
        note=_(
            "Một trang cho mỗi tập thể, cá nhân được khen trong các quyết định khen thưởng của "
            "đơn vị trong kỳ."
        ),
    ),
    Spec(
        code="bao-cao-chuyen-hoa-dia-ban",
        kind=DocumentKind.HOTSPOT_REPORT,
        title=_("Báo cáo kết quả chuyển hóa địa bàn trọng điểm, phức tạp về ANTT"),
        type_code="BC",
        type_name=_("Báo cáo"),
        summary=_("Kết quả chuyển hóa địa bàn trọng điểm, phức tạp về ANTT %(period)s"),
        levels=("commune", "province"),
        extra_fields=frozenset({"figures", "highlights", "hotspots", "targets_note"}),
        narrative=(
            Section("situation", _("Tình hình chung"), ""),
            Section("assessment", _("Đánh giá chung"), ""),
            Section("plan", _("Phương hướng kỳ tới"), ""),
        ),
    ),
    Spec(
        code="bao-cao-tin-bao",
        kind=DocumentKind.TIP_SUMMARY,
        title=_("Báo cáo tổng hợp tiếp nhận, xử lý tin báo, phản ánh"),
        type_code="BC",
        type_name=_("Báo cáo"),
        summary=_("Kết quả tiếp nhận, xử lý tin báo, tố giác tội phạm, phản ánh %(period)s"),
        levels=("commune", "province"),
        extra_fields=frozenset({"figures", "highlights", "targets_note"}),
        narrative=(
            Section("assessment", _("Đánh giá chung"), ""),
            Section("plan", _("Phương hướng kỳ tới"), ""),
        ),
    ),
)
BY_CODE: dict[str, Spec] = {s.code: s for s in SPECS}


def spec_get(code: str) -> Spec | None:
    return BY_CODE.get(code)
