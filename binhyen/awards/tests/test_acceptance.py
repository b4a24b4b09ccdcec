"""The issue's acceptance, end to end through the services (and the documents app)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from docx import Document

from binhyen.awards import services
from binhyen.awards.models import NomineeKind, Outcome, ProposalStatus, Subject
from binhyen.awards.tests.factories import YEAR, entry, pledges, proposal, scene
from binhyen.community import services as community_services
from binhyen.core.models import AuditEvent
from binhyen.indicators import selectors as indicator_selectors

pytestmark = pytest.mark.django_db


def test_ten_pledges_nine_kept_a_giay_khen_decided_and_counted(settings):
    # given Yên Thượng's 10 villages pledging in January, linked to the commune's drive
    s = scene()
    pledges(s)
    team = community_services.team_create(
        actor=s.officer, village=s.villages[0], established_on=date(2024, 7, 1)
    )
    drive = services.drive_create(
        actor=s.chief,
        unit=s.commune,
        title="Thi đua toàn dân bảo vệ ANTQ năm 2026",
        year=YEAR,
        starts_on=date(YEAR, 1, 1),
        ends_on=date(YEAR, 12, 31),
    )
    assert services.drive_pledges_link(actor=s.chief, drive=drive) == 10
    # when the year-end review marks 9 kept and 1 not kept, and the province approves it
    review = services.review_open(actor=s.officer, unit=s.commune, year=YEAR)
    marks = list(review.entries.filter(subject=Subject.REGISTRATION).order_by("orgunit__path"))
    assert len(marks) == 10
    for n, line in enumerate(marks):
        outcome = Outcome.NOT_KEPT if n == 9 else Outcome.KEPT
        services.review_entry_mark(actor=s.officer, entry=line, outcome=outcome)
    for line in review.entries.exclude(subject=Subject.REGISTRATION):
        services.review_entry_classify(actor=s.officer, entry=line, grade="good")
    services.review_submit(actor=s.chief, review=review)
    services.review_approve(actor=s.province_officer, review=review)
    # and the commune proposes a Giấy khen of the provincial police director for the 9 and
    # its security team, which the province decides
    p = proposal(s)
    assert services.proposal_add_kept(actor=s.chief, proposal=p) == 9
    services.nominee_add(
        actor=s.chief, proposal=p, kind=NomineeKind.TEAM, unit=team.village, name=team.name
    )
    p = services.proposal_submit(actor=s.chief, proposal=p)
    assert p.current_unit == s.province
    decision = services.proposal_decide(
        actor=s.province_officer,
        proposal=p,
        number="125/QĐ-CAT",
        decided_on=timezone.localdate(),
        signer="Đại tá Nguyễn Văn A",
    )
    # then ten rewards exist, with the catalogue's amount
    p.refresh_from_db()
    assert p.status == ProposalStatus.DECIDED
    assert decision.rewards.count() == 10
    assert decision.rewards.first().amount == int(2_340_000 * 0.6)
    # and the province dashboard counts 10 collective rewards for the year
    result = indicator_selectors.analytics(
        user=s.province_officer,
        metric_codes=["rewards_collective"],
        unit_codes=[s.province.code],
        period_codes=[str(YEAR)],
        compare=False,
    )
    assert [r.value for r in result.rows] == [10]
    # and the decision .docx of the province lists them
    from binhyen.documents import render
    from binhyen.documents import selectors as document_selectors
    from binhyen.documents import services as document_services
    from binhyen.documents.catalogue import spec_get

    doc = document_services.document_draft_create(
        actor=s.province_officer,
        template_code="quyet-dinh-khen-thuong",
        unit=s.province,
        period=str(timezone.localdate().year),
    )
    context = document_services.document_context(user=s.province_officer, document=doc)
    template = document_selectors.template_for(
        spec=spec_get("quyet-dinh-khen-thuong"), unit=s.province
    )
    data = render.render_docx(template.content, context)
    text = "\n".join(
        cell.text
        for table in Document(io.BytesIO(data)).tables
        for row in table.rows
        for cell in row.cells
    ) + "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    for village in s.villages[:9]:
        assert village.name in text
    assert team.name in text
    assert s.villages[9].name not in text
    # and the certificates (Giấy khen) give each recipient a page
    certificates = document_services.document_draft_create(
        actor=s.province_officer,
        template_code="giay-khen",
        unit=s.province,
        period=str(timezone.localdate().year),
    )
    context = document_services.document_context(user=s.province_officer, document=certificates)
    template = document_selectors.template_for(spec=spec_get("giay-khen"), unit=s.province)
    pages = [
        p.text
        for p in Document(io.BytesIO(render.render_docx(template.content, context))).paragraphs
    ]
    honoured = [t.removeprefix("Tặng: ") for t in pages if t.startswith("Tặng: ")]
    assert sorted(honoured) == sorted([v.name for v in s.villages[:9]] + [team.name])
    assert pages.count("GIẤY KHEN") == 10


def test_an_anonymous_tipster_sees_and_collects_the_reward_once(client):
    # given a valuable tip (its tipster unknown), marked by the commune officer
    from django.urls import reverse

    from binhyen.awards.models import Reward
    from binhyen.tips import services as tip_services
    from binhyen.tips.tests.factories import submit

    s = scene(villages=1)
    sent = submit(s.villages[0])
    tip_services.tip_mark_valuable(actor=s.chief, tip=sent.tip, valuable=True)
    # when the officer proposes a reward for its tipster and the commune chairman decides it
    p = services.tip_reward_propose(
        actor=s.officer, tip_id=sent.tip.pk, form=entry("giay-khen-chu-tich-xa")
    )
    assert p.current_unit == s.commune
    follow = {"code": sent.tip.tracking_code, "secret": sent.secret}
    pending = client.post(reverse("tips:follow"), follow)
    assert "được đề nghị khen thưởng" in pending.content.decode()
    services.proposal_decide(
        actor=s.chief,
        proposal=p,
        number="7/QĐ-UBND",
        decided_on=timezone.localdate(),
        signer="Chủ tịch",
    )
    # then the citizen sees it with a collection code on the tracking page
    page = client.post(reverse("tips:follow"), follow).content.decode()
    reward = Reward.objects.get(tip_id=sent.tip.pk)
    from binhyen.awards import codes

    code = codes.code_for(reward.code_nonce)
    assert "Bạn được khen thưởng" in page and code in page
    # and collects it once at the counter, without giving a name
    done = services.reward_collect(actor=s.officer, code=code.lower().replace("-", ""))
    assert done.collected_at is not None and done.collector_name == ""
    with pytest.raises(ValidationError) as second:
        services.reward_collect(actor=s.officer, code=code)
    assert "không trao lần hai" in second.value.message_dict["code"][0]
    # and nothing stored names the person: no code, no identity, in the reward or the audit
    reward.refresh_from_db()
    assert code not in str(reward.__dict__)
    event = AuditEvent.objects.filter(action="awards.reward_collect").get()
    assert code not in str(event.__dict__) and sent.secret not in str(event.__dict__)
    assert "Bạn đã nhận khen thưởng" in client.post(reverse("tips:follow"), follow).content.decode()
