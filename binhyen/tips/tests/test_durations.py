"""Remaining times in words: Vietnamese on Vietnamese pages, English on English pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation

from binhyen.accounts.tests.factories import scene
from binhyen.tips.durations import duration_text
from binhyen.tips.models import ReplyTemplate
from binhyen.tips.tests.factories import make_tip

ALMOST_A_DAY = timedelta(hours=23, minutes=59, seconds=30)


@pytest.mark.parametrize(
    ("delta", "vi", "en"),
    [
        (ALMOST_A_DAY, "23 giờ 59 phút", "23 hours, 59 minutes"),
        (timedelta(hours=1), "1 giờ", "1 hour"),
        (timedelta(days=2, hours=3, minutes=5), "2 ngày 3 giờ", "2 days, 3 hours"),
        (timedelta(minutes=-5), "0 phút", "0 minutes"),
    ],
)
def test_duration_text_in_each_language(delta, vi, en):
    # when a duration is worded in Vietnamese and in English
    with translation.override("vi"):
        assert duration_text(delta) == vi
    with translation.override("en"):
        assert duration_text(delta) == en


@pytest.mark.django_db
def test_vietnamese_receipt_says_hours_and_minutes_in_vietnamese():
    # given a tip just received (acknowledged within 24 hours)
    s = scene()
    tip = make_tip(s.commune)
    tip.ack_due_at = timezone.now() + ALMOST_A_DAY
    request = RequestFactory().get("/tips/new/")
    request.user = s.commune_officer
    # when the Vietnamese receipt page is rendered
    with translation.override("vi"):
        html = render_to_string(
            "tips/public_done.html", {"tip": tip, "secret": "X"}, request=request
        )
    # then it says "23 giờ 59 phút", with no English word
    assert "trong vòng 23 giờ 59 phút" in html
    assert "hours" not in html and "minutes" not in html


@pytest.mark.django_db
def test_shipped_reply_templates_have_english_names():
    # given the shipped reply templates (data migration)
    names = dict(ReplyTemplate.objects.values_list("code", "name_en"))
    # then each has an English name, shown on English pages only
    assert names["da_tiep_nhan"] == "Received"
    assert all(names.values())
    template = ReplyTemplate.objects.get(code="da_xu_ly")
    with translation.override("en"):
        assert template.label == "Handled"
    with translation.override("vi"):
        assert template.label == "Đã xử lý"
