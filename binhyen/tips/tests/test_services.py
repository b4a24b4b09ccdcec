"""Intake, routing, triage, escalation: the write rules of the tips app."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import scene, user_with_role
from binhyen.core.models import AuditEvent
from binhyen.orgunits.address import AddressMatch
from binhyen.orgunits.tests.factories import OrgUnitFactory
from binhyen.tips import media, permissions, selectors, services
from binhyen.tips.models import Direction, Status, Tip, TipMedia
from binhyen.tips.selectors import routing
from binhyen.tips.services import fast_insert
from binhyen.tips.tests.factories import jpeg_with_gps, make_tip, submit, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def s():
    return scene()


# --- intake and routing ----------------------------------------------------------------------


def test_submit_stores_hash_of_secret_and_routes_to_commune(s):
    # given a tip in a village of the commune
    result = submit(s.village)
    tip = result.tip
    # then it sits in the commune queue, with deadlines, and the secret only as a hash
    assert tip.orgunit == s.commune and tip.commune == s.commune and tip.village == s.village
    assert tip.status == Status.NEW and tip.ack_due_at < tip.due_at
    assert result.secret not in tip.secret_hash
    assert permissions.secret_matches(tip.secret_hash, result.secret)
    assert not permissions.secret_matches(tip.secret_hash, "AAAA-BBBB-CCCC-DDDD-EEEE")
    assert AuditEvent.objects.filter(action="tip.submit", object_id=str(tip.pk)).count() == 1


def test_anonymous_submit_drops_contact_details(s):
    tip = make_tip(
        s.commune,
        is_anonymous=True,
        contact_name="Nguyễn Văn A",
        contact_phone="0912345678",
        contact_email="a@example.vn",
    )
    assert (tip.contact_name, tip.contact_phone, tip.contact_email) == ("", "", "")


def test_unknown_commune_is_refused_and_nothing_saved(s):
    with pytest.raises(ValidationError) as exc:
        submit(commune_code="99999")
    assert "99999" in exc.value.message_dict["commune"][0]
    assert Tip.objects.count() == 0
    assert not AuditEvent.objects.filter(action="tip.submit").exists()


def test_empty_description_is_refused(s):
    with pytest.raises(ValidationError) as exc:
        submit(s.commune, description="   ")
    assert "description" in exc.value.message_dict
    assert Tip.objects.count() == 0


def test_named_tip_needs_a_way_to_call_back(s):
    with pytest.raises(ValidationError) as exc:
        submit(s.commune, is_anonymous=False, contact_name="Lan")
    assert "contact_phone" in exc.value.message_dict


def test_village_of_another_commune_is_refused(s):
    with pytest.raises(ValidationError) as exc:
        submit(commune_code=s.sibling_commune.code, village_code=s.village.code)
    assert "village" in exc.value.message_dict


def test_unknown_place_goes_to_the_province_queue(s):
    tip = make_tip(location_unknown=True, province_code=s.province.code)
    assert tip.orgunit == s.province and tip.commune is None


def test_no_place_and_no_province_is_refused_unless_default(s, settings):
    with pytest.raises(ValidationError) as exc:
        submit(location_unknown=True)
    assert "province" in exc.value.message_dict
    settings.TIPS_DEFAULT_PROVINCE_CODE = s.province.code
    assert make_tip(location_unknown=True).orgunit == s.province


def test_address_of_a_closed_commune_goes_to_its_successor(s, monkeypatch):
    # given an old (pre-2025) commune that became the scene's commune
    old: Any = OrgUnitFactory(
        code="L07846",
        name="Xã Lương Phong",
        kind="commune",
        parent=s.province,
        valid_to=timezone.localdate() - timedelta(days=1),
    )

    def fake_resolve(text, on=None):
        return AddressMatch(
            unit=old,
            era="legacy",
            successors=[s.commune, s.sibling_commune],
            province=s.province,
            confidence=1.0,
        )

    monkeypatch.setattr(routing, "resolve_address", fake_resolve)
    # when the citizen types the old address
    tip = make_tip(address_text="Xã Lương Phong, huyện Hiệp Hòa, Bắc Giang")
    # then it goes to the default (first) successor
    assert tip.orgunit == s.commune


# --- routing memory and the tip insert ------------------------------------------------------


def _unit_queries(captured: Any) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "orgunits_orgunit" in q["sql"]]


def test_a_found_unit_is_remembered_for_the_next_tip(s):
    # given a first tip to the commune
    make_tip(s.commune)
    # when a second tip names the same commune
    with CaptureQueriesContext(connection) as captured:
        tip = make_tip(s.commune)
    # then it is routed there without looking the unit up again
    assert tip.orgunit == s.commune and tip.orgunit.name == s.commune.name
    assert _unit_queries(captured) == []


def test_a_changed_unit_is_seen_at_once(s):
    # given the commune is remembered
    make_tip(s.commune)
    # when the commune is renamed (a save in this process)
    s.commune.name = "Xã Hiệp Hòa Mới"
    s.commune.save()
    # then the next tip sees the new row
    assert make_tip(s.commune).orgunit.name == "Xã Hiệp Hòa Mới"


def test_an_unknown_code_is_not_remembered(s):
    # given a code no unit has
    with pytest.raises(ValidationError):
        submit(commune_code="X0001")
    # then nothing is remembered for it, so a unit imported later is found at once
    assert ("X0001", "commune") not in routing._UNIT_CACHE


def test_a_remembered_unit_expires(s, settings, monkeypatch):
    # given the commune remembered for 60 s
    settings.TIPS_UNIT_CACHE_SECONDS = 60
    make_tip(s.commune)
    # when 61 s have passed
    later = routing.time.monotonic() + 61
    monkeypatch.setattr(routing.time, "monotonic", lambda: later)
    with CaptureQueriesContext(connection) as captured:
        make_tip(s.commune)
    # then the unit is read again
    assert len(_unit_queries(captured)) == 1


def test_routing_memory_can_be_turned_off(s, settings):
    # given the memory is off
    settings.TIPS_UNIT_CACHE_SECONDS = 0
    make_tip(s.commune)
    # when another tip names the commune, then the unit is read from the database
    with CaptureQueriesContext(connection) as captured:
        make_tip(s.commune)
    assert len(_unit_queries(captured)) == 1


def test_the_insert_stores_every_field_like_save(s):
    # given a named tip with most fields set
    occurred = timezone.now() - timedelta(days=1)
    result = submit(
        s.village,
        is_anonymous=False,
        contact_name="Nguyễn Văn A",
        contact_phone="0912345678",
        address_text="Số 3 ngõ 5",
        occurred_at=occurred,
        latitude=21.2,
        longitude=105.9,
    )
    tip = result.tip
    # then the row read back holds the same values, timestamps set by the database write
    stored = Tip.objects.get(pk=tip.pk)
    fields = [f.attname for f in Tip._meta.concrete_fields]
    assert {f: getattr(stored, f) for f in fields} == {f: getattr(tip, f) for f in fields}
    assert stored.created_at is not None and stored.updated_at is not None
    assert stored.contact_phone == "0912345678" and stored.occurred_at == occurred
    assert not tip._state.adding


def test_pin_goes_to_the_nearest_commune(s):
    s.commune.latitude, s.commune.longitude = 21.35, 105.95
    s.commune.save()
    s.sibling_commune.latitude, s.sibling_commune.longitude = 21.30, 106.20
    s.sibling_commune.save()
    tip = make_tip(latitude=21.352, longitude=105.951)
    assert tip.orgunit == s.commune


def test_media_are_saved_without_metadata(s):
    cleaned = media.process_uploads([upload("a.jpg", jpeg_with_gps())])
    result = services.tip_submit(
        actor=None,
        data=services.TipInput(kind="crime", description="Ảnh kèm", commune_code=s.commune.code),
        channel="web",
        media=cleaned,
    )
    item = TipMedia.objects.get(tip=result.tip)
    data = item.file.read()
    name = item.file.name or ""
    assert b"Phone Model X" not in data and name.endswith(".jpg")
    assert name.rsplit("/", 1)[-1] != "a.jpg"  # the random name, not the citizen's file name


def test_follow_up_on_a_concluded_tip_flags_it(s):
    tip = make_tip(s.commune)
    services.tip_conclude(
        actor=s.commune_officer,
        tip=tip,
        status=Status.RESOLVED,
        outcome="Đã kiểm tra, nhắc nhở các hộ liên quan.",
    )
    services.tip_follow_up(actor=None, tip=tip, body="Việc lại tái diễn tối nay.", channel="web")
    tip.refresh_from_db()
    assert tip.awaiting_officer and tip.status == Status.RESOLVED
    assert tip in selectors.tip_inbox(user=s.commune_officer)


# --- triage ----------------------------------------------------------------------------------


def test_claim_locks_the_tip_for_others(s):
    tip = make_tip(s.commune)
    other = user_with_role(Role.COMMUNE_OFFICER, s.commune, full_name="Trần Thị B")
    services.tip_claim(actor=s.commune_officer, tip=tip)
    with pytest.raises(ValidationError) as exc:
        services.tip_reply(actor=other, tip=tip, body="Xin chào")
    assert s.commune_officer.full_name in exc.value.messages[0]
    # a supervisor may take over
    services.tip_claim(actor=s.commune_chief, tip=tip, take_over=True)
    services.tip_reply(actor=s.commune_chief, tip=tip, body="Đã tiếp nhận.")
    tip.refresh_from_db()
    assert tip.claimed_by == s.commune_chief and tip.acknowledged_at is not None


def test_officer_of_another_commune_cannot_act(s):
    tip = make_tip(s.commune)
    with pytest.raises(PermissionDenied):
        services.tip_claim(actor=s.far_officer, tip=tip)


def test_conclude_needs_an_outcome(s):
    tip = make_tip(s.commune)
    with pytest.raises(ValidationError) as exc:
        services.tip_conclude(actor=s.commune_officer, tip=tip, status=Status.RESOLVED, outcome="")
    assert "outcome" in exc.value.message_dict
    tip.refresh_from_db()
    assert tip.status == Status.NEW


def test_conclude_and_reopen(s):
    tip = make_tip(s.commune)
    done = services.tip_conclude(
        actor=s.commune_officer,
        tip=tip,
        status=Status.UNFOUNDED,
        outcome="Xác minh tại chỗ, không có sự việc như phản ánh.",
    )
    assert done.concluded_at is not None and done.outcome
    reopened = services.tip_reopen(actor=s.commune_officer, tip=tip, reason="Người báo bổ sung")
    assert reopened.status == Status.VERIFYING and reopened.concluded_at is None


def test_transfer_to_another_commune_moves_the_queue(s):
    tip = make_tip(s.commune)
    services.tip_claim(actor=s.commune_officer, tip=tip)
    moved = services.tip_transfer(
        actor=s.commune_officer,
        tip=tip,
        reason="Nơi xảy ra thuộc phường",
        to_unit=s.sibling_commune,
    )
    assert moved.orgunit == s.sibling_commune and moved.status == Status.NEW
    assert moved.claimed_by is None
    with pytest.raises(Http404):
        selectors.tip_get(user=s.commune_officer, pk=tip.pk)
    assert selectors.tip_get(user=s.province_officer, pk=tip.pk) == moved


def test_transfer_to_another_body_concludes_with_reason(s):
    tip = make_tip(s.commune)
    moved = services.tip_transfer(
        actor=s.commune_officer, tip=tip, reason="Tranh chấp đất đai", to_body="UBND xã"
    )
    assert moved.status == Status.TRANSFERRED and "UBND xã" in moved.outcome


def test_province_officer_places_an_unlocated_tip(s):
    tip = make_tip(location_unknown=True, province_code=s.province.code)
    placed = services.tip_transfer(
        actor=s.province_officer, tip=tip, reason="Xác định được xã", to_unit=s.commune
    )
    assert placed.orgunit == s.commune and placed.commune == s.commune


def test_merge_marks_duplicate_with_outcome(s):
    first = make_tip(s.village, description="Trộm gà ở thôn Cấm đêm qua")
    second = make_tip(s.village, description="Đêm qua trộm gà thôn Cấm")
    merged = services.tip_merge(actor=s.commune_officer, tip=second, into=first)
    assert merged.status == Status.DUPLICATE and merged.duplicate_of == first
    assert first.tracking_code in merged.outcome
    with pytest.raises(ValidationError):
        services.tip_merge(actor=s.commune_officer, tip=first, into=merged)


def test_assign_only_to_officers_of_the_unit(s):
    tip = make_tip(s.commune)
    services.tip_assign(actor=s.commune_chief, tip=tip, assignee=s.commune_officer)
    tip.refresh_from_db()
    assert tip.assigned_to == s.commune_officer and tip.claimed_by == s.commune_officer
    with pytest.raises(ValidationError):
        services.tip_assign(actor=s.commune_chief, tip=tip, assignee=s.far_officer)


def test_contact_reveal_is_restricted_and_logged(s):
    tip = make_tip(
        s.commune, is_anonymous=False, contact_name="Lê Văn C", contact_phone="0912000111"
    )
    contact = services.tip_contact_reveal(actor=s.commune_chief, tip=tip)
    assert contact.phone == "0912000111"
    assert AuditEvent.objects.filter(action="tip.contact_view", actor=s.commune_chief).count() == 1
    with pytest.raises(PermissionDenied):
        services.tip_contact_reveal(actor=s.commune_officer, tip=tip)
    anonymous = make_tip(s.commune)
    with pytest.raises(ValidationError):
        services.tip_contact_reveal(actor=s.commune_chief, tip=anonymous)


def test_reply_and_note_directions(s):
    tip = make_tip(s.commune)
    services.tip_reply(actor=s.commune_officer, tip=tip, body="Cảm ơn bạn.")
    services.tip_note_add(actor=s.commune_officer, tip=tip, body="Đối tượng quen mặt.")
    public = list(selectors.tip_public_thread(tip=tip))
    assert [m.direction for m in public] == [Direction.TO_CITIZEN]


# --- service levels --------------------------------------------------------------------------


def test_overdue_tips_escalate_to_the_parent_once(s):
    tip = make_tip(s.commune)
    later = timezone.now() + timedelta(hours=25)
    assert services.tips_escalate_overdue(now=later) == 1
    tip.refresh_from_db()
    assert tip.escalation_level == 1 and tip.escalated_to == s.province
    assert services.tips_escalate_overdue(now=later) == 0
    much_later = timezone.now() + timedelta(days=16)
    assert services.tips_escalate_overdue(now=much_later) == 1
    tip.refresh_from_db()
    assert tip.escalation_level == 2
    assert tip in selectors.tip_inbox(
        user=s.province_officer, filters=selectors.InboxFilter(escalated=True)
    )


def test_acknowledged_tip_is_not_escalated_for_acknowledgement(s):
    tip = make_tip(s.commune)
    services.tip_verify_start(actor=s.commune_officer, tip=tip)
    assert services.tips_escalate_overdue(now=timezone.now() + timedelta(hours=25)) == 0


def test_tracking_code_collision_draws_again(s, monkeypatch):
    first = make_tip(s.commune)
    codes = iter([first.tracking_code, "ZZZZ-ZZZZ"])
    monkeypatch.setattr(permissions, "tracking_code_new", lambda: next(codes, "YYYY-YYYY"))
    second = make_tip(s.commune)
    assert second.tracking_code != first.tracking_code


def test_fresh_code_insert_retries_in_a_savepoint_and_gives_up_after_three_collisions(
    s, monkeypatch
):
    # given a stored tip, and a code generator that keeps drawing its code
    first = make_tip(s.commune)
    monkeypatch.setattr(permissions, "tracking_code_new", lambda: first.tracking_code)
    template = Tip.objects.get(pk=first.pk)
    template.pk = None
    template._state.adding = True
    # when a new tip is inserted inside the caller's transaction
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            fast_insert.tip_insert_with_fresh_code(template)
        # then each attempt was rolled back to its savepoint: the transaction still works
        assert Tip.objects.count() == 1
    # and when the third draw is free, the tip is stored under it
    codes = iter([first.tracking_code, first.tracking_code, "QQQQ-QQQQ"])
    monkeypatch.setattr(permissions, "tracking_code_new", lambda: next(codes))
    template.tracking_code = ""
    with transaction.atomic():
        fast_insert.tip_insert_with_fresh_code(template)
    assert template.pk is not None and template.tracking_code == "QQQQ-QQQQ"
    assert Tip.objects.count() == 2
