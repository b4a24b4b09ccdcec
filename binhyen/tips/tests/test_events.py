"""Timeline events: stored as a code and parameters, shown in the reader's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from binhyen.accounts.tests.factories import scene
from binhyen.tips import events, services
from binhyen.tips.models import Direction, Status, TipMessage
from binhyen.tips.tests.factories import make_tip

pytestmark = pytest.mark.django_db


def test_a_conclusion_is_stored_as_a_code_with_vietnamese_body():
    # given a tip concluded by an officer whose page was in English
    s = scene()
    tip = make_tip(s.commune)
    with translation.override("en"):
        services.tip_conclude(
            actor=s.commune_officer,
            tip=tip,
            status=Status.RESOLVED,
            outcome="Đã tuần tra, mời làm việc hai đối tượng.",
        )
    # then the event keeps its code and parameters, and its body stays Vietnamese
    event = TipMessage.objects.get(tip=tip, direction=Direction.EVENT)
    assert event.event == events.CONCLUDED
    assert event.params == {"status": Status.RESOLVED}
    assert event.body == "Kết luận: Đã xử lý."


def test_an_event_is_worded_in_the_readers_language_with_data_marked():
    # given a take-over recorded from one officer's name
    s = scene()
    tip = make_tip(s.commune)
    services.tip_claim(actor=s.commune_officer, tip=tip)
    services.tip_claim(actor=s.commune_chief, tip=tip, take_over=True)
    event = TipMessage.objects.get(tip=tip, event=events.TAKEN_OVER)
    name = s.commune_officer.display_name
    # when an English and a Vietnamese page show it
    with translation.override("en"):
        english = events.event_html(event)
    with translation.override("vi"):
        vietnamese = events.event_html(event)
    # then each is in its language, and the name is marked as data
    assert english == f"Took over the tip from <span data-user-text>{name}</span>."
    assert vietnamese == f"Tiếp quản tin từ <span data-user-text>{name}</span>."


def test_escalation_reason_is_a_code_translated_when_shown():
    # given an event of an overdue tip sent up to the province
    s = scene()
    tip = make_tip(s.commune)
    message = events.event_record(tip, events.ESCALATED, {"reason": "ack", "unit": "Tỉnh <X>"})
    # then the reason is worded in English and the unit name is escaped data
    with translation.override("en"):
        html = events.event_html(message)
    assert html.startswith("Acknowledgement overdue: ")
    assert "<span data-user-text>Tỉnh &lt;X&gt;</span>" in html
    assert message.body == "Quá hạn tiếp nhận: đã báo cáo lên Tỉnh <X>."


def test_an_event_recorded_before_codes_is_shown_as_stored():
    # given an old event with only a body
    s = scene()
    tip = make_tip(s.commune)
    old = TipMessage.objects.create(tip=tip, direction=Direction.EVENT, body="Gộp tin <b>")
    # then it is shown escaped, as it was written
    assert events.event_html(old) == "Gộp tin &lt;b&gt;"
