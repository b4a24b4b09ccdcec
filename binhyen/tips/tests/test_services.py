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
    # given an anonymous tip that still carries contact details, when it is submitted
    tip = make_tip(
        s.commune,
        is_anonymous=True,
        contact_name="Nguyễn Văn A",
        contact_phone="0912345678",
        contact_email="a@example.vn",
    )
    # then none of them is stored
    assert (tip.contact_name, tip.contact_phone, tip.contact_email) == ("", "", "")


def test_unknown_commune_is_refused_and_nothing_saved(s):
    # given a commune code that does not exist, when a tip names it
    with pytest.raises(ValidationError) as exc:
        submit(commune_code="99999")
    # then the error names the code on "commune", and neither tip nor audit is stored
    assert "99999" in exc.value.message_dict["commune"][0]
    assert Tip.objects.count() == 0
    assert not AuditEvent.objects.filter(action="tip.submit").exists()


def test_empty_description_is_refused(s):
    # given a blank description, when the tip is submitted
    with pytest.raises(ValidationError) as exc:
        submit(s.commune, description="   ")
    # then it is refused on that field and nothing is stored
    assert "description" in exc.value.message_dict
    assert Tip.objects.count() == 0


def test_named_tip_needs_a_way_to_call_back(s):
    # given a named tip with a name but no phone or e-mail, when it is submitted
    with pytest.raises(ValidationError) as exc:
        submit(s.commune, is_anonymous=False, contact_name="Lan")
    # then it is refused on the phone field
    assert "contact_phone" in exc.value.message_dict


def test_village_of_another_commune_is_refused(s):
    # given a village that is not in the chosen commune, when the tip is submitted
    with pytest.raises(ValidationError) as exc:
        submit(commune_code=s.sibling_commune.code, village_code=s.village.code)
    # then it is refused on the village field
    assert "village" in exc.value.message_dict


def test_unknown_place_goes_to_the_province_queue(s):
    # given a tip whose place is unknown, with its province, when it is submitted
    tip = make_tip(location_unknown=True, province_code=s.province.code)
    # then it waits in the province's queue, without a commune
    assert tip.orgunit == s.province and tip.commune is None


def test_no_place_and_no_province_is_refused_unless_default(s, settings):
    # given neither place nor province, when the tip is submitted
    with pytest.raises(ValidationError) as exc:
        submit(location_unknown=True)
    # then it is refused on the province field
    assert "province" in exc.value.message_dict
    # and when a default province is configured, then the tip goes there
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
    # given two communes with known centres
    s.commune.latitude, s.commune.longitude = 21.35, 105.95
    s.commune.save()
    s.sibling_commune.latitude, s.sibling_commune.longitude = 21.30, 106.20
    s.sibling_commune.save()
    # when a tip is pinned next to one of them
    tip = make_tip(latitude=21.352, longitude=105.951)
    # then it goes to that nearest commune
    assert tip.orgunit == s.commune


def test_media_are_saved_without_metadata(s):
    # given a photo with GPS and a camera model in its metadata
    cleaned = media.process_uploads([upload("a.jpg", jpeg_with_gps())])
    # when it is submitted with a tip
    result = services.tip_submit(
        actor=None,
        data=services.TipInput(kind="crime", description="Ảnh kèm", commune_code=s.commune.code),
        channel="web",
        media=cleaned,
    )
    # then the stored file has no metadata and a random name
    item = TipMedia.objects.get(tip=result.tip)
    data = item.file.read()
    name = item.file.name or ""
    assert b"Phone Model X" not in data and name.endswith(".jpg")
    assert name.rsplit("/", 1)[-1] != "a.jpg"  # the random name, not the citizen's file name


def test_follow_up_on_a_concluded_tip_flags_it(s):
    # given a concluded tip
    tip = make_tip(s.commune)
    services.tip_conclude(
        actor=s.commune_officer,
        tip=tip,
        status=Status.RESOLVED,
        outcome="Đã kiểm tra, nhắc nhở các hộ liên quan.",
    )
    # when the citizen adds information
    services.tip_follow_up(actor=None, tip=tip, body="Việc lại tái diễn tối nay.", channel="web")
    # then the tip stays concluded but is flagged for officers in the inbox
    tip.refresh_from_db()
    assert tip.awaiting_officer and tip.status == Status.RESOLVED
    assert tip in selectors.tip_inbox(user=s.commune_officer)


# --- triage ----------------------------------------------------------------------------------


def test_claim_locks_the_tip_for_others(s):
    # given a tip claimed by one officer
    tip = make_tip(s.commune)
    other = user_with_role(Role.COMMUNE_OFFICER, s.commune, full_name="Trần Thị B")
    services.tip_claim(actor=s.commune_officer, tip=tip)
    # when another officer replies, then it is refused naming the claimer
    with pytest.raises(ValidationError) as exc:
        services.tip_reply(actor=other, tip=tip, body="Xin chào")
    assert s.commune_officer.full_name in exc.value.messages[0]
    # when the chief (a supervisor) takes over and replies, then the chief holds it, acknowledged
    services.tip_claim(actor=s.commune_chief, tip=tip, take_over=True)
    services.tip_reply(actor=s.commune_chief, tip=tip, body="Đã tiếp nhận.")
    tip.refresh_from_db()
    assert tip.claimed_by == s.commune_chief and tip.acknowledged_at is not None


def test_officer_of_another_commune_cannot_act(s):
    # given a tip of the commune
    tip = make_tip(s.commune)
    # when an officer of another province claims it, then permission is denied
    with pytest.raises(PermissionDenied):
        services.tip_claim(actor=s.far_officer, tip=tip)


def test_conclude_needs_an_outcome(s):
    # given a new tip
    tip = make_tip(s.commune)
    # when it is concluded without saying what was done
    with pytest.raises(ValidationError) as exc:
        services.tip_conclude(actor=s.commune_officer, tip=tip, status=Status.RESOLVED, outcome="")
    # then it is refused on "outcome" and the tip is still new
    assert "outcome" in exc.value.message_dict
    tip.refresh_from_db()
    assert tip.status == Status.NEW


def test_conclude_and_reopen(s):
    # given a tip
    tip = make_tip(s.commune)
    # when it is concluded as unfounded, then the date and outcome are kept
    done = services.tip_conclude(
        actor=s.commune_officer,
        tip=tip,
        status=Status.UNFOUNDED,
        outcome="Xác minh tại chỗ, không có sự việc như phản ánh.",
    )
    assert done.concluded_at is not None and done.outcome
    # and when it is reopened with a reason, then it is being verified again
    reopened = services.tip_reopen(actor=s.commune_officer, tip=tip, reason="Người báo bổ sung")
    assert reopened.status == Status.VERIFYING and reopened.concluded_at is None


def test_transfer_to_another_commune_moves_the_queue(s):
    # given a tip claimed by the commune officer
    tip = make_tip(s.commune)
    services.tip_claim(actor=s.commune_officer, tip=tip)
    # when it is transferred to the neighbouring commune
    moved = services.tip_transfer(
        actor=s.commune_officer,
        tip=tip,
        reason="Nơi xảy ra thuộc phường",
        to_unit=s.sibling_commune,
    )
    # then it is new in that commune's queue, unclaimed, and gone from the sender's scope
    assert moved.orgunit == s.sibling_commune and moved.status == Status.NEW
    assert moved.claimed_by is None
    with pytest.raises(Http404):
        selectors.tip_get(user=s.commune_officer, pk=tip.pk)
    assert selectors.tip_get(user=s.province_officer, pk=tip.pk) == moved


def test_transfer_to_another_body_concludes_with_reason(s):
    # given a tip, when it is passed on to another body
    tip = make_tip(s.commune)
    moved = services.tip_transfer(
        actor=s.commune_officer, tip=tip, reason="Tranh chấp đất đai", to_body="UBND xã"
    )
    # then it is concluded as transferred, naming that body
    assert moved.status == Status.TRANSFERRED and "UBND xã" in moved.outcome


def test_province_officer_places_an_unlocated_tip(s):
    # given a tip in the province queue
    tip = make_tip(location_unknown=True, province_code=s.province.code)
    # when the province officer places it in a commune
    placed = services.tip_transfer(
        actor=s.province_officer, tip=tip, reason="Xác định được xã", to_unit=s.commune
    )
    # then it belongs to that commune
    assert placed.orgunit == s.commune and placed.commune == s.commune


def test_merge_marks_duplicate_with_outcome(s):
    # given two tips about the same theft
    first = make_tip(s.village, description="Trộm gà ở thôn Cấm đêm qua")
    second = make_tip(s.village, description="Đêm qua trộm gà thôn Cấm")
    # when the second is merged into the first
    merged = services.tip_merge(actor=s.commune_officer, tip=second, into=first)
    # then it is a duplicate whose outcome names the first
    assert merged.status == Status.DUPLICATE and merged.duplicate_of == first
    assert first.tracking_code in merged.outcome
    # and nothing can be merged into a duplicate
    with pytest.raises(ValidationError):
        services.tip_merge(actor=s.commune_officer, tip=first, into=merged)


def test_assign_only_to_officers_of_the_unit(s):
    # given a tip, when the chief assigns it to a commune officer
    tip = make_tip(s.commune)
    services.tip_assign(actor=s.commune_chief, tip=tip, assignee=s.commune_officer)
    # then that officer is assigned and holds the claim
    tip.refresh_from_db()
    assert tip.assigned_to == s.commune_officer and tip.claimed_by == s.commune_officer
    # and an officer who may not triage it cannot be assigned
    with pytest.raises(ValidationError):
        services.tip_assign(actor=s.commune_chief, tip=tip, assignee=s.far_officer)


def test_contact_reveal_is_restricted_and_logged(s):
    # given a named tip with a phone number
    tip = make_tip(
        s.commune, is_anonymous=False, contact_name="Lê Văn C", contact_phone="0912000111"
    )
    # when the chief reveals it, then the number is returned and the view audited
    contact = services.tip_contact_reveal(actor=s.commune_chief, tip=tip)
    assert contact.phone == "0912000111"
    assert AuditEvent.objects.filter(action="tip.contact_view", actor=s.commune_chief).count() == 1
    # when an officer without the right asks, then permission is denied
    with pytest.raises(PermissionDenied):
        services.tip_contact_reveal(actor=s.commune_officer, tip=tip)
    # and an anonymous tip has no contact to reveal
    anonymous = make_tip(s.commune)
    with pytest.raises(ValidationError):
        services.tip_contact_reveal(actor=s.commune_chief, tip=anonymous)


def test_reply_and_note_directions(s):
    # given a tip, when an officer replies and adds an internal note
    tip = make_tip(s.commune)
    services.tip_reply(actor=s.commune_officer, tip=tip, body="Cảm ơn bạn.")
    services.tip_note_add(actor=s.commune_officer, tip=tip, body="Đối tượng quen mặt.")
    # then the citizen sees the reply only
    public = list(selectors.tip_public_thread(tip=tip))
    assert [m.direction for m in public] == [Direction.TO_CITIZEN]


# --- service levels --------------------------------------------------------------------------


def test_overdue_tips_escalate_to_the_parent_once(s):
    # given a tip not acknowledged for 25 hours
    tip = make_tip(s.commune)
    later = timezone.now() + timedelta(hours=25)
    # when the escalation runs, then it goes up to the province, once
    assert services.tips_escalate_overdue(now=later) == 1
    tip.refresh_from_db()
    assert tip.escalation_level == 1 and tip.escalated_to == s.province
    assert services.tips_escalate_overdue(now=later) == 0
    # when it is still not concluded after 16 days, then level 2, seen in the province inbox
    much_later = timezone.now() + timedelta(days=16)
    assert services.tips_escalate_overdue(now=much_later) == 1
    tip.refresh_from_db()
    assert tip.escalation_level == 2
    assert tip in selectors.tip_inbox(
        user=s.province_officer, filters=selectors.InboxFilter(escalated=True)
    )


def test_acknowledged_tip_is_not_escalated_for_acknowledgement(s):
    # given a tip acknowledged by starting verification
    tip = make_tip(s.commune)
    services.tip_verify_start(actor=s.commune_officer, tip=tip)
    # when 25 hours pass, then it is not escalated
    assert services.tips_escalate_overdue(now=timezone.now() + timedelta(hours=25)) == 0


def test_tracking_code_collision_draws_again(s, monkeypatch):
    # given a stored tip, and a code generator whose first draw is that code
    first = make_tip(s.commune)
    codes = iter([first.tracking_code, "ZZZZ-ZZZZ"])
    monkeypatch.setattr(permissions, "tracking_code_new", lambda: next(codes, "YYYY-YYYY"))
    # when another tip is submitted
    second = make_tip(s.commune)
    # then it is stored under a fresh code
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


def test_inbox_search_needs_no_diacritics_and_finds_tracking_codes(s):
    # given two tips, one about a stolen motorbike
    wanted = make_tip(s.commune, description="Phát hiện nhóm đối tượng trộm xe máy ở chợ Đồn.")
    make_tip(s.commune, description="Tụ tập gây ồn ào sau 23 giờ.")

    def found(q):
        return list(selectors.tip_inbox(user=s.commune_officer, filters=selectors.InboxFilter(q=q)))

    # when the officer types without marks, in capitals, or the tracking code
    # then the tip is found each time, and only it
    assert found("trom xe may") == [wanted]
    assert found("CHO DON") == [wanted]
    assert found(wanted.tracking_code.lower()) == [wanted]
    assert found("xe may trom") == []
