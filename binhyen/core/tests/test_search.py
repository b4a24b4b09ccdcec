"""Search with and without diacritics (``binhyen.core.search``), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db.models import Q
from hypothesis import given, settings
from hypothesis import strategies as st

from binhyen.core.models import AuditEvent
from binhyen.core.search import Fold, search_words, text_search
from binhyen.core.text import fold

pytestmark = pytest.mark.django_db

LABELS = ["Nguyễn Văn Tuyên", "Trần Thị Đào", "Lê Văn Truyền", "ĐẶNG QUỐC VIỆT"]


@pytest.fixture
def events():
    return [AuditEvent.objects.create(action="test.search", actor_label=label) for label in LABELS]


def _found(q, **kwargs):
    rows = text_search(
        AuditEvent.objects.filter(action="test.search"), q, ["actor_label"], **kwargs
    )
    return sorted(e.actor_label for e in rows)


def test_a_query_without_marks_finds_text_with_them(events):
    # Given names with tones and đ; when searched without them; then they are found
    assert _found("tuyen") == ["Nguyễn Văn Tuyên"]
    assert _found("dao") == ["Trần Thị Đào"]
    assert _found("dang quoc") == ["ĐẶNG QUỐC VIỆT"]


def test_a_query_with_marks_and_capitals_finds_the_same(events):
    assert _found("TRUYỀN") == ["Lê Văn Truyền"]
    assert _found("Đào") == ["Trần Thị Đào"]


def test_the_query_is_a_phrase(events):
    assert _found("nguyen van") == ["Nguyễn Văn Tuyên"]
    assert _found("  Nguyễn   văn ") == ["Nguyễn Văn Tuyên"]
    assert _found("van nguyen") == []
    assert _found("van") == ["Lê Văn Truyền", "Nguyễn Văn Tuyên"]


def test_an_empty_query_keeps_every_row_and_or_adds_exact_matches(events):
    assert len(_found("")) == 4 and len(_found("   ")) == 4
    # a code-like query that matches no word still finds the exact match given as ``or_``
    assert _found("xyz", or_=Q(actor_label="Trần Thị Đào")) == ["Trần Thị Đào"]
    # punctuation only: no words, the exact match alone decides
    assert _found("%%", or_=Q(actor_label="nothing")) == []


def test_like_wildcards_in_the_query_are_literal(events):
    # Given "%" and "_" typed by a user; then they match nothing rather than everything
    assert _found("%") == []
    assert _found("_") == []


@settings(max_examples=40, deadline=None)
@given(
    st.text(
        alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxy ĐĂÂÊÔƠƯ"
        "áàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệóòỏõọốồổỗộớờởỡợúùủũụứừửữựíìỉĩịýỳỷỹỵ",
        max_size=30,
    )
)
def test_the_database_folds_like_python(text):
    # Given any Vietnamese text; when the database folds it; then it equals core.text.fold
    # (the query side), apart from the spaces fold collapses
    event = AuditEvent.objects.create(action="test.fold", actor_label=text)
    folded = (
        AuditEvent.objects.filter(pk=event.pk)
        .annotate(f=Fold("actor_label"))
        .values_list("f", flat=True)[0]
    )
    assert " ".join(folded.split()) == fold(text)
    event.delete()


def test_search_words_are_folded_and_bounded():
    assert search_words("  Tuyên   TRUYỀN ") == ["tuyen", "truyen"]
    assert len(search_words("a " * 50)) == 12
