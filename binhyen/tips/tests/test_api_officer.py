"""Officer actions through the REST API: scope, effect, audit and refusals of each endpoint."""

from __future__ import annotations

import pytest

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import login_verified, scene, user_with_role
from binhyen.core.models import AuditEvent
from binhyen.tips.models import Direction, Priority, ReplyTemplate, Status, Tip
from binhyen.tips.tests.factories import make_tip

pytestmark = pytest.mark.django_db
BASE = "/api/v1/tips"


@pytest.fixture
def s():
    return scene()


@pytest.fixture
def tip(s):
    return make_tip(s.commune)


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def audited(action: str, tip: Tip, actor=None) -> int:
    events = AuditEvent.objects.filter(action=action, object_id=str(tip.pk))
    if actor is not None:
        events = events.filter(actor=actor)
    return events.count()


ACTIONS = [
    ("post", "claim", {}),
    ("post", "release", {}),
    ("post", "assign", {"assignee": 1}),
    ("post", "priority", {"priority": 3}),
    ("post", "classify", {"kind": "feedback"}),
    ("post", "state", {"status": "verifying"}),
    ("post", "messages", {"body": "Chúng tôi đã nhận tin."}),
    ("post", "notes", {"body": "Ghi chú"}),
    ("post", "transfer", {"reason": "Sai địa bàn", "to_body": "UBND"}),
    ("post", "place", {"commune_code": "x", "reason": "Đúng địa bàn"}),
    ("post", "merge", {"into": "ABC"}),
    ("post", "valuable", {"valuable": True}),
    ("get", "duplicates", None),
    ("get", "contact", None),
]


def call(client, method, url, data):
    return client.get(url) if method == "get" else post(client, url, data)


# --- permissions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "action", "data"), ACTIONS)
def test_anonymous_gets_401(client, tip, method, action, data):
    # given no session and no token / when calling an officer action
    response = call(client, method, f"{BASE}/{tip.pk}/{action}", data)
    # then 401 with a message, and nothing changed
    assert response.status_code == 401 and response.json()["message"]
    assert (
        not AuditEvent.objects.filter(action__startswith="tip.")
        .exclude(action="tip.submit")
        .exists()
    )


@pytest.mark.parametrize(("method", "action", "data"), ACTIONS)
def test_other_commune_officer_gets_404(client, s, tip, method, action, data):
    # given an officer of another province's commune
    client.force_login(s.far_officer)
    # when acting on the tip, or on a missing one
    response = call(client, method, f"{BASE}/{tip.pk}/{action}", data)
    missing = call(client, method, f"{BASE}/{tip.pk + 999}/{action}", data)
    # then both answer 404 alike and the tip is untouched
    assert response.status_code == 404 and missing.status_code == 404
    assert response.json()["message"] == missing.json()["message"]
    tip.refresh_from_db()
    assert tip.claimed_by is None and tip.status == Status.NEW


def test_in_scope_officer_reads_duplicates(client, s):
    # given two similar tips of the same commune
    first = make_tip(s.commune, description="Trộm gà ở thôn Cấm ban đêm")
    second = make_tip(s.commune, description="Trộm gà ở thôn Cấm ban đêm hôm qua")
    client.force_login(s.commune_officer)
    # when listing duplicates of the second
    response = client.get(f"{BASE}/{second.pk}/duplicates")
    # then the first is suggested with a score and reasons
    assert response.status_code == 200
    body = response.json()
    assert [d["tracking_code"] for d in body] == [first.tracking_code]
    assert body[0]["score"] > 0 and body[0]["reasons"]


# --- claim, release, assign ----------------------------------------------------------------------


def test_claim_and_release(client, s, tip):
    # given a new tip and the commune officer
    client.force_login(s.commune_officer)
    # when claiming
    response = post(client, f"{BASE}/{tip.pk}/claim")
    # then the tip is held by the officer, and it is audited
    assert response.status_code == 200 and response.json()["claimed_by"]
    tip.refresh_from_db()
    assert tip.claimed_by == s.commune_officer
    assert audited("tip.claim", tip, s.commune_officer) == 1
    # when releasing
    released = post(client, f"{BASE}/{tip.pk}/release")
    assert released.status_code == 200 and released.json()["claimed_by"] is None
    tip.refresh_from_db()
    assert tip.claimed_by is None and audited("tip.release", tip) == 1


def test_claimed_by_someone_else_is_409(client, s, tip):
    # given a tip claimed by another officer of the commune
    other = user_with_role(Role.COMMUNE_OFFICER, s.commune, username="canbo2")
    client.force_login(other)
    assert post(client, f"{BASE}/{tip.pk}/claim").status_code == 200
    client.force_login(s.commune_officer)
    # when claiming, releasing or writing a note
    claim = post(client, f"{BASE}/{tip.pk}/claim")
    release = post(client, f"{BASE}/{tip.pk}/release")
    note = post(client, f"{BASE}/{tip.pk}/notes", {"body": "Ghi chú"})
    # then 409 naming the holder, and nothing changed
    assert claim.status_code == 409 and "đang do" in claim.json()["message"]
    assert release.status_code == 409 and note.status_code == 409
    tip.refresh_from_db()
    assert tip.claimed_by == other and not tip.messages.filter(direction=Direction.INTERNAL)
    # and the chief may take it over
    client.force_login(s.commune_chief)
    taken = post(client, f"{BASE}/{tip.pk}/claim", {"take_over": True})
    assert taken.status_code == 200
    tip.refresh_from_db()
    assert tip.claimed_by == s.commune_chief


def test_assign(client, s, tip):
    # given a new tip and the commune chief
    client.force_login(s.commune_chief)
    # when assigning to an officer of the commune
    response = post(client, f"{BASE}/{tip.pk}/assign", {"assignee": s.commune_officer.pk})
    # then they hold the tip and it is audited
    assert response.status_code == 200
    tip.refresh_from_db()
    assert tip.assigned_to == s.commune_officer and tip.claimed_by == s.commune_officer
    assert audited("tip.assign", tip, s.commune_chief) == 1
    # and someone who may not triage it is refused on the field
    refused = post(client, f"{BASE}/{tip.pk}/assign", {"assignee": s.far_officer.pk})
    assert refused.status_code == 400 and refused.json()["field"] == "assignee"


# --- priority, classification, state -------------------------------------------------------------


def test_priority_and_classify(client, s, tip):
    # given a new tip and the commune officer
    client.force_login(s.commune_officer)
    # when the priority is raised, then it is saved and audited; an unknown one is 400
    response = post(client, f"{BASE}/{tip.pk}/priority", {"priority": Priority.URGENT})
    assert response.status_code == 200 and response.json()["priority"] == Priority.URGENT
    assert audited("tip.priority", tip) == 1
    bad = post(client, f"{BASE}/{tip.pk}/priority", {"priority": 99})
    assert bad.status_code == 400 and bad.json()["field"] == "priority"
    # when the kind is corrected, then it is saved; an unknown category is 400 on its field
    classified = post(client, f"{BASE}/{tip.pk}/classify", {"kind": "feedback"})
    assert classified.status_code == 200 and classified.json()["kind"] == "feedback"
    assert audited("tip.classify", tip) == 1
    unknown = post(client, f"{BASE}/{tip.pk}/classify", {"kind": "crime", "category": "khong-co"})
    assert unknown.status_code == 400 and unknown.json()["field"] == "category"
    tip.refresh_from_db()
    assert tip.priority == Priority.URGENT and tip.kind == "feedback"


def test_state_verify_conclude_reopen(client, s, tip):
    # given a new tip and the commune officer
    client.force_login(s.commune_officer)
    url = f"{BASE}/{tip.pk}/state"
    # when starting verification
    verifying = post(client, url, {"status": "verifying"})
    assert verifying.status_code == 200 and verifying.json()["status"] == Status.VERIFYING
    assert verifying.json()["acknowledged_at"] and audited("tip.verify", tip) == 1
    # a conclusion without outcome is refused on the field, nothing saved
    bare = post(client, url, {"status": "resolved"})
    assert bare.status_code == 400 and bare.json()["field"] == "outcome"
    tip.refresh_from_db()
    assert tip.status == Status.VERIFYING and audited("tip.conclude", tip) == 0
    # a conclusion with outcome
    done = post(
        client, url, {"status": "resolved", "outcome": "Đã xác minh, bắt được đối tượng trộm gà."}
    )
    assert done.status_code == 200 and done.json()["status"] == Status.RESOLVED
    assert done.json()["outcome"].startswith("Đã xác minh") and audited("tip.conclude", tip) == 1
    # reopening needs a reason
    no_reason = post(client, url, {"status": "verifying"})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    reopened = post(client, url, {"status": "verifying", "reason": "Người báo gửi thêm ảnh mới"})
    assert reopened.status_code == 200 and reopened.json()["status"] == Status.VERIFYING
    assert audited("tip.reopen", tip) == 1


def test_state_unknown_value_is_refused(client, s, tip):
    # given a new tip, when an unknown state is asked
    client.force_login(s.commune_officer)
    response = post(client, f"{BASE}/{tip.pk}/state", {"status": "closed"})
    # then 422 names the field and the tip is unchanged
    assert response.status_code == 422 and response.json()["field"] == "status"
    tip.refresh_from_db()
    assert tip.status == Status.NEW


# --- messages and notes --------------------------------------------------------------------------


def test_message_to_citizen_and_template(client, s, tip):
    # given a reply template and the commune officer
    ReplyTemplate.objects.create(
        code="da-nhan", name="Đã nhận", body="Công an xã đã nhận tin và đang xác minh."
    )
    client.force_login(s.commune_officer)
    url = f"{BASE}/{tip.pk}/messages"
    # when sending a typed message
    sent = post(client, url, {"body": "Cảm ơn bạn đã báo tin."})
    assert sent.status_code == 201 and sent.json()["direction"] == Direction.TO_CITIZEN
    assert audited("tip.reply", tip, s.commune_officer) == 1
    # when sending a template
    templated = post(client, url, {"template": "da-nhan"})
    assert templated.status_code == 201
    assert templated.json()["body"] == "Công an xã đã nhận tin và đang xác minh."
    # then the templates are listed for officers
    listed = client.get(f"{BASE}/reply-templates").json()
    assert "da-nhan" in [t["code"] for t in listed]
    # bad input: empty body, unknown template
    empty = post(client, url, {"body": "  "})
    assert empty.status_code == 400 and empty.json()["field"] == "body"
    unknown = post(client, url, {"template": "khong-co"})
    assert unknown.status_code == 400 and unknown.json()["field"] == "template"
    assert tip.messages.filter(direction=Direction.TO_CITIZEN).count() == 2


def test_reply_templates_need_an_officer(client, s):
    # given no credentials, then 401; given someone who may not triage, then 404
    assert client.get(f"{BASE}/reply-templates").status_code == 401
    client.force_login(s.village_member)
    assert client.get(f"{BASE}/reply-templates").status_code == 404


def test_internal_note(client, s, tip):
    # given a tip, when the officer adds a note
    client.force_login(s.commune_officer)
    response = post(client, f"{BASE}/{tip.pk}/notes", {"body": "Đã gọi trưởng thôn."})
    # then it is internal and audited; an empty note is 400 on "body"
    assert response.status_code == 201 and response.json()["direction"] == Direction.INTERNAL
    assert audited("tip.note", tip) == 1
    empty = post(client, f"{BASE}/{tip.pk}/notes", {"body": ""})
    assert empty.status_code == 400 and empty.json()["field"] == "body"


# --- transfer, place, merge, valuable ------------------------------------------------------------


def test_transfer_to_commune_and_to_body(client, s):
    # given a tip and the commune officer
    tip = make_tip(s.commune)
    client.force_login(s.commune_officer)
    url = f"{BASE}/{tip.pk}/transfer"
    # bad input: unknown commune, short reason, neither target
    unknown = post(client, url, {"reason": "Sai địa bàn", "to_unit": "99999"})
    assert unknown.status_code == 400 and unknown.json()["field"] == "to_unit"
    short = post(client, url, {"reason": "x", "to_unit": s.sibling_commune.code})
    assert short.status_code == 400 and short.json()["field"] == "reason"
    neither = post(client, url, {"reason": "Sai địa bàn"})
    assert neither.status_code == 400 and neither.json()["field"] == "to_unit"
    # when transferring to the sibling commune
    moved = post(client, url, {"reason": "Sai địa bàn", "to_unit": s.sibling_commune.code})
    assert moved.status_code == 200 and moved.json()["unit_code"] == s.sibling_commune.code
    assert audited("tip.transfer", tip, s.commune_officer) == 1
    # then it left the officer's scope
    assert client.get(f"{BASE}/{tip.pk}").status_code == 404
    # passing another tip on to another body concludes it
    other = make_tip(s.commune)
    passed = post(
        client, f"{BASE}/{other.pk}/transfer", {"reason": "Thuộc thẩm quyền", "to_body": "UBND"}
    )
    assert passed.status_code == 200 and passed.json()["status"] == Status.TRANSFERRED


def test_place_province_queue_tip(client, s):
    # given a tip whose place was unknown, waiting in the province queue
    tip = make_tip(province_code=s.province.code, location_unknown=True)
    assert tip.orgunit == s.province
    # the commune officer does not see the province queue
    client.force_login(s.commune_officer)
    place_url = f"{BASE}/{tip.pk}/place"
    assert (
        post(client, place_url, {"commune_code": s.commune.code, "reason": "Đã rõ nơi"}).status_code
        == 404
    )
    login_verified(client, s.province_officer)
    # bad input: a commune of another province, an unknown code
    far = post(client, place_url, {"commune_code": s.far_commune.code, "reason": "Đã rõ nơi"})
    assert far.status_code == 400 and far.json()["field"] == "commune_code"
    unknown = post(client, place_url, {"commune_code": "99999", "reason": "Đã rõ nơi"})
    assert unknown.status_code == 400 and unknown.json()["field"] == "commune_code"
    # when placing it into a commune of the province
    placed = post(client, place_url, {"commune_code": s.commune.code, "reason": "Đã rõ nơi"})
    # then it enters that commune's queue, audited
    assert placed.status_code == 200, placed.content
    tip.refresh_from_db()
    assert tip.orgunit == s.commune and tip.commune == s.commune and tip.status == Status.NEW
    assert audited("tip.transfer", tip, s.province_officer) == 1
    # and placing it again is a conflict (use transfer)
    again = post(client, place_url, {"commune_code": s.sibling_commune.code, "reason": "Lại"})
    assert again.status_code == 409 and again.json()["message"]


def test_merge(client, s):
    # given two tips of the commune and one of another province
    original = make_tip(s.commune)
    copy = make_tip(s.commune)
    far = make_tip(s.far_commune)
    client.force_login(s.commune_officer)
    url = f"{BASE}/{copy.pk}/merge"
    # bad input: unknown code, a tip outside the scope
    assert post(client, url, {"into": "KHONGCO"}).json()["field"] == "into"
    outside = post(client, url, {"into": far.tracking_code})
    assert outside.status_code == 400 and outside.json()["field"] == "into"
    self_merge = post(client, url, {"into": copy.tracking_code})
    assert self_merge.status_code == 400 and self_merge.json()["field"] == "into"
    # when merging into the original
    merged = post(client, url, {"into": original.tracking_code, "note": "Cùng vụ"})
    assert merged.status_code == 200 and merged.json()["status"] == Status.DUPLICATE
    copy.refresh_from_db()
    assert copy.duplicate_of == original and audited("tip.merge", copy) == 1
    # merging a concluded tip again is refused
    again = post(client, url, {"into": original.tracking_code})
    assert again.status_code == 400 and again.json()["field"] == "status"


def test_valuable_flag(client, s, tip):
    # given a tip, when the officer flags it as valuable
    client.force_login(s.commune_officer)
    flagged = post(client, f"{BASE}/{tip.pk}/valuable", {"valuable": True})
    # then it is flagged and audited
    assert flagged.status_code == 200 and flagged.json()["is_valuable"] is True
    assert audited("tip.valuable", tip) == 1
    # and when the flag is cleared, then it is cleared and audited again
    cleared = post(client, f"{BASE}/{tip.pk}/valuable", {"valuable": False})
    assert cleared.json()["is_valuable"] is False
    tip.refresh_from_db()
    assert tip.is_valuable is False and audited("tip.valuable", tip) == 2


# --- contact -------------------------------------------------------------------------------------


def test_contact_is_logged_and_limited(client, s):
    # given a named tip with a phone number
    tip = make_tip(s.commune, is_anonymous=False, contact_name="Lan", contact_phone="0912000222")
    url = f"{BASE}/{tip.pk}/contact"
    # an officer without the contact right gets 404 and nothing is logged
    client.force_login(s.commune_officer)
    assert client.get(url).status_code == 404
    assert audited("tip.contact_view", tip) == 0
    # the chief reads it; the read is logged exactly like the page does and not cached
    client.force_login(s.commune_chief)
    response = client.get(url)
    assert response.status_code == 200 and response.json()["phone"] == "0912000222"
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="tip.contact_view", object_id=str(tip.pk))
    assert event.actor == s.commune_chief and event.orgunit == s.commune
    assert "0912000222" not in str(event.changes)
    # an anonymous tip has no contact: a conflict, not logged
    anonymous = make_tip(s.commune)
    refused = client.get(f"{BASE}/{anonymous.pk}/contact")
    assert refused.status_code == 409 and refused.json()["message"]
    assert audited("tip.contact_view", anonymous) == 0
