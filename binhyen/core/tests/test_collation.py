"""Vietnamese order (``binhyen.core.collation``): in Python and in SQL on both engines."""

from __future__ import annotations

import random

import pytest

from binhyen.core.collation import vi_key, vi_order, vi_sorted
from binhyen.core.models import AuditEvent

# In Vietnamese order: a ă â b c d đ e ê … ; a space before any letter; digits first.
ORDERED = [
    "11 Phường",
    "An Lão",
    "Anh Sơn",
    "Ăn Khê",
    "Ân Thi",
    "Bắc Ninh",
    "Cảnh Thụy",
    "Chũ",
    "Dương Kinh",
    "Đà Nẵng",
    "Đông Anh",
    "Gia Lâm",
    "Hà Nội",
    "Huế",
    "Ô Môn",
    "Ơ Đồng",
    "Uông Bí",
    "Ưng Hòa",
    "Yên Bái",
]


def test_python_order_follows_the_vietnamese_alphabet():
    # Given names shuffled; when sorted by vi_key; then in the alphabet's order
    shuffled = ORDERED[:]
    random.Random(4).shuffle(shuffled)
    assert sorted(shuffled, key=vi_key) == ORDERED
    assert vi_sorted([{"n": n} for n in shuffled], key=lambda d: d["n"]) == [
        {"n": n} for n in ORDERED
    ]


def test_tones_come_after_the_base_letter_in_dictionary_order():
    # ngang, huyền, hỏi, ngã, sắc, nặng
    assert sorted(["ma", "mạ", "mà", "má", "mã", "mả"], key=vi_key) == [
        "ma",
        "mà",
        "mả",
        "mã",
        "má",
        "mạ",
    ]
    # and the letters decide before the tones do
    assert sorted(["Lý Bá", "Lê Ba"], key=vi_key) == ["Lê Ba", "Lý Bá"]


@pytest.mark.django_db
def test_the_database_sorts_the_same_way():
    # Given the names stored in a random order
    shuffled = ORDERED[:]
    random.Random(7).shuffle(shuffled)
    for name in shuffled:
        AuditEvent.objects.create(action="test.collation", actor_label=name)
    # When listed in SQL with vi_order (ascending, then descending)
    rows = AuditEvent.objects.filter(action="test.collation")
    up = list(rows.order_by(vi_order("actor_label")).values_list("actor_label", flat=True))
    down = list(
        rows.order_by(vi_order("actor_label", descending=True)).values_list(
            "actor_label", flat=True
        )
    )
    # Then the order is the Vietnamese alphabet's, on SQLite and on PostgreSQL alike
    assert up == ORDERED
    assert down == ORDERED[::-1]
