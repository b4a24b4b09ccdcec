"""The shared grading vocabulary: one English name per Vietnamese term (docs/glossary.md).

"Xuất sắc" is always ``excellent``, "Tốt" ``good``, "Khá" ``fair``, "Trung bình" ``average``,
"Yếu" ``weak``; task completion grades read "hoàn thành xuất sắc / tốt / hoàn thành / không
hoàn thành nhiệm vụ". Apps import these enums from here and never define their own.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Classification(models.TextChoices):
    """Movement classification levels (QĐ 510/QĐ-BCA-V05), best first."""

    EXCELLENT = "excellent", _("Xuất sắc")
    FAIR = "fair", _("Khá")
    AVERAGE = "average", _("Trung bình")
    WEAK = "weak", _("Yếu")


CLASSIFICATION_ORDER = [c.value for c in Classification]


class SchemeQuality(models.TextChoices):
    """Quality levels of a scheme (Hướng dẫn 22/HD-BCA-V05)."""

    GOOD = "good", _("Tốt")
    FAIR = "fair", _("Khá")
    AVERAGE = "average", _("Trung bình")
    WEAK = "weak", _("Yếu")


class TaskGrade(models.TextChoices):
    """Annual grading of teams and members (Hướng dẫn 01/HD-BCA-V05)."""

    EXCELLENT = "excellent", _("Hoàn thành xuất sắc nhiệm vụ")
    GOOD = "good", _("Hoàn thành tốt nhiệm vụ")
    COMPLETED = "completed", _("Hoàn thành nhiệm vụ")
    NOT_COMPLETED = "not_completed", _("Không hoàn thành nhiệm vụ")


GRADE_RANK: dict[str, int] = {
    TaskGrade.EXCELLENT: 4,
    TaskGrade.GOOD: 3,
    TaskGrade.COMPLETED: 2,
    TaskGrade.NOT_COMPLETED: 1,
}


# Units of measure of the metric catalogue, as stored (Vietnamese), with their English. A
# catalogue row keeps its Vietnamese unit; pages show ``unit_of_measure_label`` so English
# pages say "cases", not "vụ". A unit not listed here is shown as typed.
UNITS_OF_MEASURE = {
    "buổi": pgettext_lazy("đơn vị tính", "buổi"),
    "bảng": pgettext_lazy("đơn vị tính", "bảng"),
    "camera": pgettext_lazy("đơn vị tính", "camera"),
    "cái": pgettext_lazy("đơn vị tính", "cái"),
    "hiện vật": pgettext_lazy("đơn vị tính", "hiện vật"),
    "hoạt động": pgettext_lazy("đơn vị tính", "hoạt động"),
    "hồ sơ": pgettext_lazy("đơn vị tính", "hồ sơ"),
    "hộ": pgettext_lazy("đơn vị tính", "hộ"),
    "khu dân cư": pgettext_lazy("đơn vị tính", "khu dân cư"),
    "km": pgettext_lazy("đơn vị tính", "km"),
    "lượt": pgettext_lazy("đơn vị tính", "lượt"),
    "lượt người": pgettext_lazy("đơn vị tính", "lượt người"),
    "mô hình": pgettext_lazy("đơn vị tính", "mô hình"),
    "người": pgettext_lazy("đơn vị tính", "người"),
    "nhiệm vụ": pgettext_lazy("đơn vị tính", "nhiệm vụ"),
    "phường": pgettext_lazy("đơn vị tính", "phường"),
    "thôn/tổ": pgettext_lazy("đơn vị tính", "thôn/tổ"),
    "tin": pgettext_lazy("đơn vị tính", "tin"),
    "tin/bài": pgettext_lazy("đơn vị tính", "tin/bài"),
    "tài khoản": pgettext_lazy("đơn vị tính", "tài khoản"),
    "tập thể": pgettext_lazy("đơn vị tính", "tập thể"),
    "tổ": pgettext_lazy("đơn vị tính", "tổ"),
    "tờ": pgettext_lazy("đơn vị tính", "tờ"),
    "vụ": pgettext_lazy("đơn vị tính", "vụ"),
    "xã": pgettext_lazy("đơn vị tính", "xã"),
    "điểm": pgettext_lazy("đơn vị tính", "điểm"),
    "đơn vị": pgettext_lazy("đơn vị tính", "đơn vị"),
    "địa bàn": pgettext_lazy("đơn vị tính", "địa bàn"),
}


def unit_of_measure_label(text: str) -> str:
    """Return the unit of measure ``text`` in the page's language (as typed if unknown)."""
    known = UNITS_OF_MEASURE.get((text or "").strip())
    return str(known) if known is not None else text
