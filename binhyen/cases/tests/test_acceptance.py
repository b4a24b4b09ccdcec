"""The acceptance bullets of the reintegration cases issue, one test each, through the pages
and the API as the users would."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import login_verified, user_with_role
from binhyen.cases import services
from binhyen.cases.models import Case, CaseRead
from binhyen.cases.tests.factories import open_case

pytestmark = pytest.mark.django_db

NAME = "Nguyễn Văn Bình"
IDENTITY = "001090001234"


def _open_through_the_page(client, scene):
    today = timezone.localdate()
    response = client.post(
        reverse("cases:create"),
        {
            "unit": scene.commune.code,
            "case_type": "1",
            "full_name": NAME,
            "birth_year": "1990",
            "identity_number": IDENTITY,
            "judgment_number": "45/2022/HS-ST",
            "judgment_date": "2022-05-10",
            "release_date": (today - timedelta(days=100)).isoformat(),
            "opened_on": (today - timedelta(days=95)).isoformat(),
            "needs": ["papers", "job"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.get()


def test_chief_opens_assigns_plans_reviews_gets_a_job_closes_and_the_province_sees_counts(
    client, scene
):
    # given the commune chief signed in
    client.force_login(scene.commune_chief)
    today = timezone.localdate()

    # when they open a case, assign a helper, record a plan and three monthly reviews
    case = _open_through_the_page(client, scene)
    assert (
        client.post(
            reverse("cases:helper_add", args=[case.pk]),
            {
                "kind": "officer",
                "user": scene.commune_officer.pk,
                "assigned_on": case.opened_on.isoformat(),
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("cases:task_add", args=[case.pk]),
            {"need": "job", "title": "Giới thiệu việc làm tại xưởng may", "due_on": today},
        ).status_code
        == 302
    )
    for months in (3, 2, 1):
        response = client.post(
            reverse("cases:review_add", args=[case.pk]),
            {
                "kind": "review",
                "held_on": (today - timedelta(days=30 * months - 5)).isoformat(),
                "summary": "Đã gặp, trao đổi về việc làm",
            },
        )
        assert response.status_code == 302
    # the person gets a job and the case closes
    assert (
        client.post(
            reverse("cases:outcome_add", args=[case.pk]),
            {"kind": "employed", "achieved_on": today.isoformat(), "note": "Xưởng may"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("cases:close", args=[case.pk]),
            {"closed_on": today.isoformat(), "reason": "settled"},
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.reviews.count() == 3

    # then the province dashboard shows the counts and no name
    login_verified(client, scene.province_officer)
    figures = client.get(reverse("cases:figures", args=[scene.province.code]))
    page = figures.content.decode()
    assert figures.status_code == 200
    assert 'data-testid="figure-cases_employed">1<' in page
    assert 'data-testid="figure-cases_closed">1<' in page
    assert NAME not in page and IDENTITY not in page
    api = client.get("/api/v1/cases/figures", {"unit": scene.province.code})
    values = {(f["metric"], f["option"]): f["value"] for f in api.json()["figures"]}
    assert values[("cases_employed", "")] == 1
    assert values[("cases_closed", "settled")] == 1
    assert NAME not in api.content.decode()

    # and a province officer gets 404 on the case and on its API
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert client.get(f"/api/v1/cases/cases/{case.pk}").status_code == 404
    assert client.get(reverse("cases:list")).status_code == 404


def test_officer_without_permission_404_with_it_masked_until_revealed_and_logged(client, scene):
    # given a case of the commune and an officer of the commune not assigned to it
    case = open_case(scene.commune_chief, scene.commune, identity_number=IDENTITY)
    client.force_login(scene.commune_officer)

    # then the officer gets 404 on the page and the API
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert client.get(f"/api/v1/cases/cases/{case.pk}").status_code == 404

    # when the chief assigns them with the field permission
    services.helper_assign(
        actor=scene.commune_chief,
        case=case,
        kind="officer",
        user=scene.commune_officer,
        can_reveal=True,
    )

    # then the identity number stays masked until revealed
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert IDENTITY not in page and "•••••••••234" in page
    assert client.get(f"/api/v1/cases/cases/{case.pk}").json()["identity_number"] != IDENTITY
    revealed = client.post(reverse("cases:reveal", args=[case.pk]), {"field": "identity_number"})
    assert revealed.status_code == 200 and IDENTITY in revealed.content.decode()

    # and the reveal appears in the access history the chief sees
    client.force_login(scene.commune_chief)
    history = client.get(reverse("cases:history", args=[case.pk])).content.decode()
    assert "Xem trường nhạy cảm" in history and scene.commune_officer.username in history
    assert CaseRead.objects.filter(
        case=case, user=scene.commune_officer, channel="reveal", field="identity_number"
    ).exists()
    # the officer may not open the access history
    client.force_login(scene.commune_officer)
    assert client.get(reverse("cases:history", args=[case.pk])).status_code == 404


def test_the_case_moves_whole_to_the_receiving_commune_the_sender_keeps_the_handover(client, scene):
    # given a case with a review, and a chief in the receiving commune
    case = open_case(scene.commune_chief, scene.commune)
    services.review_record(
        actor=scene.commune_chief,
        case=case,
        kind="review",
        held_on=case.opened_on,
        summary="Gặp lần đầu",
    )
    receiver = user_with_role(Role.COMMUNE_CHIEF, scene.sibling_commune, username="truong2")
    client.force_login(scene.commune_chief)

    # when the sender hands it over and the receiver accepts
    response = client.post(
        reverse("cases:handover", args=[case.pk]),
        {"to_unit": scene.sibling_commune.code, "requested_on": timezone.localdate()},
    )
    assert response.status_code == 302
    handover = case.handovers.get()
    client.force_login(receiver)
    assert "Hồ sơ chuyển đến chờ tiếp nhận" in client.get(reverse("cases:list")).content.decode()
    assert client.post(reverse("cases:handover_accept", args=[handover.pk])).status_code == 302

    # then the receiving chief sees it whole
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert case.full_name in page and "Gặp lần đầu" in page

    # and the sender sees only the handover
    client.force_login(scene.commune_chief)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    listing = client.get(reverse("cases:list")).content.decode()
    assert case.reference in listing and scene.sibling_commune.name in listing
    assert case.full_name not in listing
    sent = client.get("/api/v1/cases/handovers").json()
    assert sent == [
        {
            "id": handover.pk,
            "case_reference": case.reference,
            "from_unit": scene.commune.code,
            "to_unit": scene.sibling_commune.code,
            "status": "accepted",
            "requested_on": timezone.localdate().isoformat(),
        }
    ]


@override_settings(CASES_RETENTION_DAYS=365)
def test_retention_task_anonymises_old_closed_cases_and_figures_stay(client, scene):
    # given a case closed 400 days ago with a job outcome
    today = timezone.localdate()
    case = open_case(
        scene.commune_chief,
        scene.commune,
        opened_on=today - timedelta(days=500),
        release_date=today - timedelta(days=510),
    )
    services.outcome_record(
        actor=scene.commune_chief,
        case=case,
        kind="employed",
        achieved_on=today - timedelta(days=450),
    )
    services.case_close(
        actor=scene.commune_chief,
        case=case,
        closed_on=today - timedelta(days=400),
        reason="settled",
    )
    login_verified(client, scene.province_officer)
    year = (today - timedelta(days=400)).year

    def figures():
        body = client.get("/api/v1/cases/figures", {"unit": scene.province.code, "year": year})
        return {(f["metric"], f["option"]): f["value"] for f in body.json()["figures"]}

    before = figures()

    # when the scheduled retention task runs
    from binhyen.cases.tasks import cases_anonymise_expired

    result = cases_anonymise_expired.enqueue()

    # then the case is anonymised and its figures stay in the aggregates
    case.refresh_from_db()
    assert result.return_value == 1
    assert case.is_anonymised and not case.full_name and not case.identity_number
    assert not case.judgment_number
    services.cases_metrics_sync(actor=None, years=[year])
    assert figures() == before
    assert before[("cases_closed", "settled")] == 1
