"""Pages: the main path through the pages, permissions (in scope, out of scope, anonymous),
bad input answered 400 with nothing saved, search with and without diacritics, Excel."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from binhyen.accounts.tests.factories import login_verified
from binhyen.awards import services
from binhyen.awards.models import Nominee, NomineeKind, Proposal, ProposalStatus
from binhyen.awards.tests.factories import YEAR, entry, proposal, scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def s():
    return scene(villages=2)


def _login(client, user):
    login_verified(client, user)
    return client


def _decided(s):
    p = proposal(s)
    services.nominee_add(actor=s.chief, proposal=p, kind=NomineeKind.VILLAGE, unit=s.villages[0])
    p = services.proposal_submit(actor=s.chief, proposal=p)
    services.proposal_decide(
        actor=s.province_officer,
        proposal=p,
        number="5/QĐ-CAT",
        decided_on=timezone.localdate(),
        signer="Giám đốc",
    )
    return p


PAGES = [
    "awards:index",
    "awards:catalogue",
    "awards:drives",
    "awards:reviews",
    "awards:proposals",
    "awards:rewards",
]


@pytest.mark.parametrize("name", PAGES)
def test_lists_need_a_sign_in_and_open_for_a_role(client, s, name):
    # given an anonymous visitor, then the login page; a viewer of the province, then 200
    assert client.get(reverse(name)).status_code == 302
    assert _login(client, s.viewer).get(reverse(name)).status_code == 200


def test_the_proposal_path_through_the_pages(client, s):
    # given the commune chief drafting a proposal on the page
    c = _login(client, s.chief)
    form = entry("giay-khen-giam-doc-ca-tinh")
    made = c.post(
        reverse("awards:proposal_create"),
        {"unit": s.commune.code, "kind": "regular", "year": YEAR, "form": form.pk},
    )
    assert made.status_code == 302
    p = Proposal.objects.get()
    # when a nominee is added and the proposal submitted
    add = c.post(
        reverse("awards:nominee_add", args=[p.pk]),
        {"kind": "village", "unit": s.villages[0].code, "name": ""},
    )
    assert add.status_code == 302
    assert c.post(reverse("awards:proposal_submit", args=[p.pk])).status_code == 302
    # then the province decides it on its page
    c = _login(client, s.province_officer)
    page = c.get(reverse("awards:proposal", args=[p.pk]))
    assert b'data-testid="decide-form"' in page.content
    decided = c.post(
        reverse("awards:proposal_decide", args=[p.pk]),
        {"number": "8/QĐ-CAT", "decided_on": timezone.localdate().isoformat(), "signer": "GĐ"},
    )
    assert decided.status_code == 302
    p.refresh_from_db()
    assert p.status == ProposalStatus.DECIDED


def test_a_nominee_out_of_scope_answers_400_and_saves_nothing(client, s):
    p = proposal(s)
    answer = _login(client, s.chief).post(
        reverse("awards:nominee_add", args=[p.pk]),
        {"kind": "unit", "unit": s.other_commune.code},
    )
    assert answer.status_code == 400
    assert f"Không có đơn vị mã {s.other_commune.code}" in answer.content.decode()
    assert not Nominee.objects.exists()


def test_another_province_gets_404_for_the_proposal_and_its_actions(client, s):
    p = proposal(s)
    c = _login(client, s.far_officer)
    assert c.get(reverse("awards:proposal", args=[p.pk])).status_code == 404
    assert c.post(reverse("awards:proposal_submit", args=[p.pk])).status_code == 404
    assert c.post(reverse("awards:nominee_add", args=[p.pk]), {}).status_code == 404


def test_a_viewer_who_sees_the_proposal_cannot_act_on_it(client, s):
    p = proposal(s)
    c = _login(client, s.viewer)
    assert c.get(reverse("awards:proposal", args=[p.pk])).status_code == 200
    assert c.post(reverse("awards:proposal_submit", args=[p.pk])).status_code == 404
    p.refresh_from_db()
    assert p.status == ProposalStatus.DRAFT


@pytest.mark.parametrize("q", ["Đồng 1", "dong 1", "DONG"])
def test_reward_search_with_and_without_diacritics(client, s, q):
    _decided(s)
    page = _login(client, s.province_officer).get(reverse("awards:rewards"), {"q": q})
    assert s.villages[0].name in page.content.decode()


def test_rewards_and_proposals_export_to_excel(client, s):
    _decided(s)
    c = _login(client, s.province_officer)
    data = c.get(reverse("awards:rewards_export")).content
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[1][0] == s.villages[0].name and rows[1][-1] == int(2_340_000 * 0.6)
    data = c.get(reverse("awards:proposals_export")).content
    assert load_workbook(io.BytesIO(data)).active.max_row == 2


def test_the_counter_refuses_a_used_code_with_400(client, s):
    answer = _login(client, s.officer).post(reverse("awards:collect"), {"code": "ZZZZZ-ZZZZZ"})
    assert answer.status_code == 400
    assert "không đúng" in answer.content.decode()
    assert _login(client, s.viewer).get(reverse("awards:collect")).status_code == 404


def test_the_review_page_marks_and_classifies(client, s):
    review = services.review_open(actor=s.officer, unit=s.commune, year=YEAR)
    line = review.entries.first()
    c = _login(client, s.officer)
    assert c.get(reverse("awards:review", args=[review.pk])).status_code == 200
    answer = c.post(reverse("awards:review_entry", args=[line.pk]), {"grade": "good"})
    assert answer.status_code == 302
    line.refresh_from_db()
    assert line.grade == "good"
    bad = c.post(reverse("awards:review_entry", args=[line.pk]), {"grade": ""})
    assert bad.status_code == 400


def test_the_todo_home_lists_proposals_waiting_for_me(s):
    from binhyen.core.todo import todo_items

    p = proposal(s)
    services.nominee_add(actor=s.chief, proposal=p, kind=NomineeKind.VILLAGE, unit=s.villages[0])
    services.proposal_submit(actor=s.chief, proposal=p)
    keys = [i.key for i in todo_items(s.province_officer)]
    assert "awards.proposals" in keys
    assert "awards.proposals" not in [i.key for i in todo_items(s.chief)]


def test_adding_the_kept_units_to_a_submitted_proposal_answers_400(client, s):
    p = proposal(s)
    services.nominee_add(actor=s.chief, proposal=p, kind=NomineeKind.VILLAGE, unit=s.villages[0])
    services.proposal_submit(actor=s.chief, proposal=p)
    answer = _login(client, s.chief).post(reverse("awards:proposal_add_kept", args=[p.pk]))
    assert answer.status_code == 400
    assert "không sửa được" in answer.content.decode()


def test_the_overview_lists_valuable_tips_to_reward(client, s):
    # given a valuable tip of the commune
    from binhyen.tips import services as tip_services
    from binhyen.tips.tests.factories import submit

    sent = submit(s.villages[0])
    tip_services.tip_mark_valuable(actor=s.chief, tip=sent.tip, valuable=True)
    # when the commune officer opens the overview, then it links to the tipster's reward
    page = _login(client, s.officer).get(reverse("awards:index")).content.decode()
    assert reverse("awards:tip_reward", args=[sent.tip.pk]) in page
    # and the reward page proposes it
    form = entry("giay-khen-chu-tich-xa")
    done = client.post(reverse("awards:tip_reward", args=[sent.tip.pk]), {"form": form.pk})
    assert done.status_code == 302
    page = client.get(reverse("awards:index")).content.decode()
    assert reverse("awards:tip_reward", args=[sent.tip.pk]) not in page
