"""The shared grading vocabulary: one English name per Vietnamese term (docs/glossary.md).

"Xuất sắc" is always ``excellent``, "Tốt" ``good``, "Khá" ``fair``, "Trung bình" ``average``,
"Yếu" ``weak``; task completion grades read "hoàn thành xuất sắc / tốt / hoàn thành / không
hoàn thành nhiệm vụ". Apps import these enums from here and never define their own.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Classification(models.TextChoices):
    """Movement classification levels (QĐ 510/QĐ-BCA-V05), best first."""

    EXCELLENT = "excellent", _("Xuất sắc")
    GOOD = "good", _("Khá")
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
    DONE = "done", _("Hoàn thành nhiệm vụ")
    NOT_DONE = "not_done", _("Không hoàn thành nhiệm vụ")


GRADE_RANK: dict[str, int] = {
    TaskGrade.EXCELLENT: 4,
    TaskGrade.GOOD: 3,
    TaskGrade.DONE: 2,
    TaskGrade.NOT_DONE: 1,
}
