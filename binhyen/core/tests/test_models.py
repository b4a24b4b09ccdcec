"""Catalogue names follow the page language."""

from __future__ import annotations

from django.utils import translation

from binhyen.core.models import LocalizedNameMixin


class Row(LocalizedNameMixin):
    def __init__(self, name: str, name_en: str) -> None:
        self.name = name
        self.name_en = name_en


def test_label_is_english_on_english_pages_when_a_translation_exists():
    # Given a row with a Vietnamese and an English name
    # Then the label follows the page's language
    row = Row("Vụ phạm tội", "Crimes")
    with translation.override("en"):
        assert row.label == "Crimes"
    with translation.override("vi"):
        assert row.label == "Vụ phạm tội"


def test_label_falls_back_to_vietnamese_without_an_english_name():
    # Given a row without an English name
    # Then English pages show the Vietnamese one
    with translation.override("en"):
        assert Row("Vụ cháy", "").label == "Vụ cháy"
