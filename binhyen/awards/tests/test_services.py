"""Services: the bad-input rules of the issue, refusals, audit; nothing half-saved."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from binhyen.awards import codes, selectors, services
from binhyen.awards.models import (
    CatalogueEntry,
    Nominee,
    NomineeKind,
    Proposal,
    ProposalStatus,
    Reward,
    StepAction,
    Subject,
)
from binhyen.awards.tests.factories import YEAR, entry, pledges, proposal, scene
from binhyen.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _decided_for(s, nominees, **kw):
    p = proposal(s, **kw)
    for v in nominees:
        services.nominee_add(actor=s.chief, proposal=p, kind=NomineeKind.VILLAGE, unit=v)
    p = services.proposal_submit(actor=s.chief, proposal=p)
    return p


def test_a_form_proposed_to_a_level_that_cannot_grant_it_is_refused():
    # given a province officer and a form only a commune chairman grants
    s = scene(villages=1)
    # when the province proposes it, then the message names the form's level
    with pytest.raises(ValidationError) as refused:
        proposal(s, form="giay-khen-chu-tich-xa", actor=s.province_officer, unit=s.province)
    assert "Chủ tịch UBND cấp xã" in refused.value.message_dict["form"][0]
    assert not Proposal.objects.exists()


def test_a_nominee_outside_the_proposers_scope_is_refused():
    # given the commune's draft
    s = scene(villages=1)
    p = proposal(s)
    # when it nominates the neighbouring commune, then it is refused, nothing saved
    with pytest.raises(ValidationError) as refused:
        services.nominee_add(actor=s.chief, proposal=p, kind=NomineeKind.UNIT, unit=s.other_commune)
    assert "ngoài phạm vi" in refused.value.message_dict["unit"][0]
    assert not Nominee.objects.exists()


def test_a_duplicate_reward_for_the_same_achievement_and_year_is_refused():
    # given a village already nominated for the year's achievement
    s = scene(villages=1)
    _decided_for(s, s.villages)
    second = proposal(s, form="bang-khen-chu-tich-tinh")
    # when another proposal nominates it for the same achievement and year
    with pytest.raises(ValidationError) as refused:
        services.nominee_add(
            actor=s.chief, proposal=second, kind=NomineeKind.VILLAGE, unit=s.villages[0]
        )
    # then the message says so; another year's achievement is fine
    assert "đã được đề nghị" in refused.value.message_dict["name"][0]
    other_year = proposal(s, year=YEAR - 1)
    services.nominee_add(
        actor=s.chief, proposal=other_year, kind=NomineeKind.VILLAGE, unit=s.villages[0]
    )


def test_a_classification_that_breaks_its_cap_is_refused(settings):
    # given a review of 10 villages (20 %: at most 2 excellent)
    s = scene(villages=10)
    review = services.review_open(actor=s.officer, unit=s.commune, year=YEAR)
    lines = list(review.entries.filter(subject=Subject.COLLECTIVE).order_by("id"))
    services.review_entry_classify(actor=s.officer, entry=lines[0], grade="excellent")
    services.review_entry_classify(actor=s.officer, entry=lines[1], grade="excellent")
    # when a third is classified excellent, then it is refused and stays unclassified
    with pytest.raises(ValidationError) as refused:
        services.review_entry_classify(actor=s.officer, entry=lines[2], grade="excellent")
    assert "tối đa 2 trên 10" in refused.value.message_dict["grade"][0]
    lines[2].refresh_from_db()
    assert lines[2].grade == ""
    # and the cap is a setting: at 30 % the third is accepted
    settings.AWARDS = {**settings.AWARDS, "EXCELLENT_CAP_PERCENT": 30}
    services.review_entry_classify(actor=s.officer, entry=lines[2], grade="excellent")


@hsettings(max_examples=30, deadline=None)
@given(total=st.integers(min_value=0, max_value=500), pct=st.integers(min_value=0, max_value=100))
def test_the_cap_never_exceeds_its_share(total, pct):
    from django.test import override_settings

    # given any number of lines and any configured share; when the cap is computed
    with override_settings(AWARDS={"EXCELLENT_CAP_PERCENT": pct}):
        cap = selectors.excellent_cap(total)
    # then it never exceeds the share of the lines
    assert 0 <= cap <= total and cap * 100 <= total * pct


def test_the_proposal_climbs_level_by_level_and_can_be_returned():
    # given a commune's proposal for the Minister's Bằng khen, submitted by the chief
    s = scene(villages=1)
    p = _decided_for(s, s.villages, form="bang-khen-bo-truong")
    assert p.current_unit == s.province and p.deciding_unit == s.country
    # when the province returns it, a comment is required
    with pytest.raises(ValidationError):
        services.proposal_return(actor=s.province_officer, proposal=p, comment=" ")
    p = services.proposal_return(actor=s.province_officer, proposal=p, comment="Bổ sung hồ sơ")
    assert p.status == ProposalStatus.RETURNED and p.current_unit == s.commune
    # then after resubmission the province forwards and the ministry decides
    p = services.proposal_submit(actor=s.chief, proposal=p)
    with pytest.raises(PermissionDenied):
        services.proposal_forward(actor=s.ministry, proposal=p)  # not its level yet
    with pytest.raises(ValidationError):
        services.proposal_decide(
            actor=s.province_officer,
            proposal=p,
            number="1",
            decided_on=date(YEAR, 1, 5),
            signer="A",
        )
    p = services.proposal_forward(actor=s.province_officer, proposal=p, comment="Đồng ý")
    assert p.current_unit == s.country
    services.proposal_decide(
        actor=s.ministry,
        proposal=p,
        number="99/QĐ-BCA",
        decided_on=timezone.localdate(),
        signer="Bộ trưởng",
    )
    actions = list(p.steps.values_list("action", flat=True))
    assert actions == [
        StepAction.SUBMITTED,
        StepAction.RETURNED,
        StepAction.SUBMITTED,
        StepAction.FORWARDED,
        StepAction.DECIDED,
    ]
    assert Reward.objects.get().amount == 2_340_000 * 2
    assert AuditEvent.objects.filter(action="awards.proposal_decide").count() == 1


def test_a_collection_code_used_twice_is_refused_and_a_wrong_one_too():
    # given a tipster reward decided (built directly through the services)
    from binhyen.tips import services as tip_services
    from binhyen.tips.tests.factories import submit

    s = scene(villages=1)
    sent = submit(s.villages[0])
    tip_services.tip_mark_valuable(actor=s.chief, tip=sent.tip, valuable=True)
    p = services.tip_reward_propose(
        actor=s.chief, tip_id=sent.tip.pk, form=entry("giay-khen-chu-tich-xa")
    )
    services.proposal_decide(
        actor=s.chief, proposal=p, number="3/QĐ", decided_on=timezone.localdate(), signer="A"
    )
    reward = Reward.objects.get()
    code = codes.code_for(reward.code_nonce)
    # when the counter checks a wrong code, a malformed one, then the right one twice
    with pytest.raises(ValidationError):
        services.reward_collect(actor=s.officer, code="ZZZZZ-ZZZZZ")
    with pytest.raises(ValidationError):
        services.reward_collect(actor=s.officer, code="abc")
    services.reward_collect(actor=s.officer, code=code, collector_name="Nguyễn Văn B")
    with pytest.raises(ValidationError):
        services.reward_collect(actor=s.officer, code=code)
    # then the name the citizen chose to give is kept on the reward only, not in the audit
    reward.refresh_from_db()
    assert reward.collector_name == "Nguyễn Văn B"
    assert "Nguyễn Văn B" not in str(list(AuditEvent.objects.values()))
    # and another commune's officer cannot even tell the code exists
    with pytest.raises(ValidationError) as refused:
        services.reward_collect(actor=s.far_officer, code=code)
    assert "không đúng" in refused.value.message_dict["code"][0]


def test_a_tip_not_marked_valuable_gets_no_reward():
    from binhyen.tips.tests.factories import submit

    s = scene(villages=1)
    sent = submit(s.villages[0])
    with pytest.raises(ValidationError) as refused:
        services.tip_reward_propose(
            actor=s.chief, tip_id=sent.tip.pk, form=entry("giay-khen-chu-tich-xa")
        )
    assert "tip" in refused.value.message_dict
    assert not Proposal.objects.exists()


def test_the_catalogue_is_national_and_per_province():
    # given a province replacing the commune Giấy khen's coefficients
    s = scene(villages=1)
    own = services.entry_create(
        actor=s.province_officer,
        province=s.province,
        category="form",
        code="giay-khen-chu-tich-xa",
        name="Giấy khen của Chủ tịch UBND xã (Phú Thọ)",
        level="commune",
        recipients="both",
        coefficient_collective="1.0",
        coefficient_individual="0.5",
    )
    # then the province's communes see its row, another province the national one
    assert own in selectors.forms_for(s.commune)
    assert own not in selectors.forms_for(s.far_commune)
    # and a province officer cannot edit the national rows; the ministry can
    with pytest.raises(PermissionDenied):
        services.entry_update(
            actor=s.province_officer, entry=entry("bang-khen-bo-truong"), name="X"
        )
    services.entry_update(actor=s.ministry, entry=entry("bang-khen-bo-truong"), sort_order=5)
    assert CatalogueEntry.objects.filter(province=None).count() >= 10


def test_pledges_are_linked_not_copied_and_only_once():
    s = scene(villages=3)
    pledges(s)
    drive = services.drive_create(
        actor=s.officer,
        unit=s.commune,
        title="Phong trào",
        year=YEAR,
        starts_on=date(YEAR, 1, 1),
        ends_on=date(YEAR, 12, 31),
    )
    assert services.drive_pledges_link(actor=s.officer, drive=drive) == 3
    assert services.drive_pledges_link(actor=s.officer, drive=drive) == 0
    assert {r.pledge_id for r in drive.registrations.all()} == {p.pk for p in s.pledges}
    with pytest.raises(PermissionDenied):
        services.drive_pledges_link(actor=s.far_officer, drive=drive)


def test_review_chief_decides_and_upper_level_approves():
    s = scene(villages=1)
    review = services.review_open(actor=s.officer, unit=s.commune, year=YEAR)
    # the officer may not decide; an unfinished review cannot be submitted
    with pytest.raises(PermissionDenied):
        services.review_submit(actor=s.officer, review=review)
    with pytest.raises(ValidationError):
        services.review_submit(actor=s.chief, review=review)
    for line in review.entries.all():
        services.review_entry_classify(actor=s.officer, entry=line, grade="good")
    services.review_submit(actor=s.chief, review=review)
    # the chief cannot approve their own review; the province can
    with pytest.raises(PermissionDenied):
        services.review_approve(actor=s.chief, review=review)
    services.review_approve(actor=s.province_officer, review=review)
    with pytest.raises(ValidationError):
        services.review_entry_classify(
            actor=s.officer, entry=review.entries.first(), grade="completed"
        )


def test_review_evidence_shows_engine_figures():
    # given valuable tips of the commune in two months of the year, in the engine
    from binhyen.indicators.models import Metric
    from binhyen.indicators.tests.factories import put

    s = scene(villages=1)
    metric = Metric.objects.get(code="tips_valuable")
    put(metric, s.commune, f"{YEAR}M03", 3)
    put(metric, s.commune, f"{YEAR}M04", 2)
    # when the evidence of the commune's year is asked, then it carries the year's figure
    lines = selectors.unit_evidence(user=s.chief, unit=s.commune, year=YEAR)
    assert f"{metric.name}: 5" in lines


def test_the_officers_record_counts_tips_within_their_deadline():
    # given a commune officer who concluded two tips this year, one after its deadline
    from datetime import timedelta

    from binhyen.tips.models import Status, Tip
    from binhyen.tips.tests.factories import make_tip

    s = scene(villages=1)
    year = timezone.localdate().year
    now = timezone.now()
    for late in (False, True):
        tip = make_tip(s.commune)
        Tip.objects.filter(pk=tip.pk).update(
            claimed_by=s.officer,
            status=Status.RESOLVED,
            due_at=now - timedelta(days=1) if late else now + timedelta(days=1),
            concluded_at=now,
            outcome="Đã xác minh, xử lý theo quy định.",
        )
    # when the year-end review shows the officer's record
    lines = selectors.officer_evidence(officer=s.officer, unit=s.commune, year=year)
    # then it counts the tips concluded within their deadline, as a review aid
    assert "Tin báo kết thúc đúng hạn: 1/2" in lines
    assert "Chưa gửi báo cáo nào trong năm." in lines


def test_review_evidence_shows_the_units_programme_results():
    # given a commune recognised by a programme this year
    from binhyen.programs.models import Decision, Enrollment, EnrollmentStatus
    from binhyen.programs.tests.factories import ministry_admin
    from binhyen.programs.tests.factories import program as make_program

    s = scene(villages=1)
    prog = make_program(ministry_admin(), code="an-toan")
    decision = Decision.objects.create(
        program=prog,
        period=str(YEAR),
        orgunit=s.province,
        number="12/QĐ-UBND",
        issued_on=date(YEAR, 11, 20),
        signer="Nguyễn Văn A",
        issuing_body="UBND tỉnh",
    )
    Enrollment.objects.create(
        program=prog,
        criteria_set=prog.sets.get(),
        unit=s.commune,
        period=str(YEAR),
        status=EnrollmentStatus.RECOGNISED,
        decision=decision,
    )
    # when the evidence of the commune's year is asked
    lines = selectors.unit_evidence(user=s.chief, unit=s.commune, year=YEAR)
    # then it names the result and the programme
    assert "Được công nhận — Chương trình an-toan" in lines
