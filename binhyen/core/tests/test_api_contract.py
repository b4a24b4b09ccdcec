"""The published OpenAPI document is the contract: every operation is fuzzed against it.

schemathesis generates requests for every operation of ``/api/v1`` from the document itself
and sends them through the WSGI application, signed in with an API token of an in-scope
commune officer and of a province officer. A token needs no second factor on each request:
the account page that creates it is itself behind the TOTP check for the roles that need one
(the province officer's). Path parameters are either real identifiers of a small dataset in
the users' scope (so the operation runs past its lookup) or generated ones (mostly 404).
The run is bounded: a few examples per operation, a fixed seed, no deadline.

Invariants checked on every response:
- no 5xx (``not_a_server_error``);
- the body matches the schema the document publishes for that status
  (``response_schema_conformance``);
- the status itself is one the operation documents (``status_code_conformance``).

Every example runs in a savepoint that is rolled back, so each request sees the same dataset
(a DELETE or a dissolve never hides the record from the next operation).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatchcase
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from binhyen.accounts.models import ApiToken, User
from binhyen.accounts.tests.factories import Scene, scene
from binhyen.accounts.tokens import generate_secret, hash_secret, prefix_of

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
# Examples per operation and generation mode: 112+ operations × 2 users must stay well under
# five minutes on a small machine.
POSITIVE_EXAMPLES = 3
NEGATIVE_EXAMPLES = 2
ROLES = ["commune_officer", "province_officer"]


def bearer(user: User) -> str:
    raw = generate_secret()
    ApiToken.objects.create(
        user=user, name="hợp đồng", prefix=prefix_of(raw), key_hash=hash_secret(raw)
    )
    return raw


def dataset(s: Scene) -> dict[str, Any]:
    """One record of each kind the API serves, in the first commune (in both users' scope)."""
    from binhyen.activities.tests.factories import outreach, record
    from binhyen.community import services as community
    from binhyen.community.tests import factories as cf
    from binhyen.hotspots import services as hotspots
    from binhyen.hotspots.tests.factories import designate
    from binhyen.indicators.models import Metric, ReportForm, ValidationRule
    from binhyen.programs import services as programs
    from binhyen.programs.tests import factories as pf
    from binhyen.targets.tests.factories import world_objects
    from binhyen.tips.tests.factories import make_tip

    officer = s.commune_officer
    scheme = cf.scheme(
        officer,
        [s.village],
        founding_decision=community.DecisionInput(
            number="12/QĐ-UBND",
            issued_on=date(2025, 3, 1),
            issuing_body="UBND xã",
            upload=cf.upload(),
        ),
    )
    team = cf.team(officer, s.village)
    member = cf.member(officer, team, role="leader")
    pledge = cf.pledge(officer, s.village)
    designation = designate(s.province_officer, s.commune)
    task = hotspots.plan_task_create(
        actor=s.province_officer,
        designation=designation,
        title="Lắp đèn chiếu sáng",
        owner="Công an xã",
        deadline=date(2026, 6, 30),
    )
    admin = pf.ministry_admin()
    program = pf.program(admin)
    pf.crimes_data(s.commune, crimes_now=8, crimes_before=10, serious=0)
    enrollment = programs.enrollment_create(
        actor=officer, program=program, unit=s.commune, period_code="2025"
    )
    pf.evidence_ready(officer, enrollment)
    verified = pf.verify_all(
        s.province_officer, programs.enrollment_submit(actor=officer, enrollment=enrollment)
    )
    decision = programs.decision_record(
        actor=s.province_officer,
        program=program,
        period_code="2025",
        enrollments=[verified],
        recognised={verified.pk},
        data=pf.decision_input(scan=pf.pdf()),
    )
    # A second file still open, for the workflow steps of a file in progress.
    second = pf.program(admin, code="thu-nghiem-2")
    open_file = programs.enrollment_create(
        actor=officer, program=second, unit=s.commune, period_code="2025"
    )
    from binhyen.accounts.models import RoleAssignment
    from binhyen.activities.services import activity_photo_add
    from binhyen.awards.tests.factories import world_objects as award_objects
    from binhyen.cases import services as cases
    from binhyen.cases.tests.factories import case_input
    from binhyen.documents.services import document_draft_create
    from binhyen.indicators.tests.factories import MetricFactory, form_with

    case = cases.case_open(actor=s.commune_chief, unit=s.commune, data=case_input())
    case_helper = cases.helper_assign(actor=s.commune_chief, case=case, kind="family", name="Hoa")
    case_task = cases.support_task_add(
        actor=s.commune_chief, case=case, need="job", title="Học nghề", due_on=date(2026, 12, 31)
    )
    subject_request = cases.subject_request_open(
        actor=s.commune_chief, case=case, kind="access", received_on=case.opened_on
    )
    moving = cases.case_open(actor=s.commune_chief, unit=s.commune, data=case_input())
    handover = cases.handover_request(actor=s.commune_chief, case=moving, to_unit=s.sibling_commune)
    activity = record(officer, outreach(s.commune))
    photo = activity_photo_add(
        actor=officer, activity=activity, upload=cf.upload("anh.png", cf.png_bytes())
    )
    targets_world = world_objects(s.commune_chief, s.commune)
    from binhyen.core.notifications import notifications_send

    reminder = notifications_send(
        recipients=[officer],
        message="indicators.report_reminder",
        params={"unit": s.commune.name, "form": "BC", "form_code": "BC", "period": "2025M03"},
        link="/",
        orgunit=s.commune,
    )[0]
    return {
        "notification": reminder,
        "case": case,
        "case_helper": case_helper,
        "case_task": case_task,
        "subject_request": subject_request,
        "case_handover": handover,
        **targets_world,
        "activity": activity,
        "photo": photo,
        "report_form": form_with([MetricFactory(), MetricFactory()], code="t_hop_dong"),
        "assignment": RoleAssignment.objects.get(user=s.village_member),
        "scheme": scheme,
        "team": team,
        "member": member,
        "pledge": pledge,
        "decision": scheme.founding_decision,
        "designation": designation,
        "task": task,
        "tip": make_tip(s.commune),
        "programs": [program, second],
        "enrollments": [verified, open_file],
        "criteria": [c.pk for c in open_file.criteria_set.criteria.all()][:2],
        "programme_decision": decision,
        "metric": Metric.objects.order_by("code").first(),
        "form": ReportForm.objects.order_by("code").first(),
        "rule": ValidationRule.objects.order_by("code").first(),
        **award_objects(
            chief=s.commune_chief,
            officer=s.commune_officer,
            province_officer=s.province_officer,
            province=s.province,
            commune=s.commune,
            village=s.village,
        ),
        "document": document_draft_create(
            actor=s.commune_chief,
            template_code="bao-cao-phong-trao-xa",
            unit=s.commune,
            period="2026S1",
        ),
    }


def real_path_parameters(s: Scene, w: dict[str, Any], spare_token: int) -> dict[str, list[dict]]:
    """For each path template, the real parameters that reach past the lookup."""
    units = [s.commune.code, s.village.code, s.province.code]
    prog = [p.code for p in w["programs"]]
    files = [e.pk for e in w["enrollments"]]
    crit = w["criteria"]
    tip = w["tip"].pk
    return {
        "/accounts/tokens/{token_id}": [{"token_id": spare_token}],
        "/orgunits/{code}": [{"code": c} for c in units],
        "/orgunits/{code}/children": [{"code": c} for c in units],
        "/orgunits/{code}/lineage": [{"code": c} for c in units],
        "/orgunits/{code}/splits": [{"code": s.province.code}],
        "/orgunits/{code}/split-shares": [{"code": c} for c in units],
        "/indicators/units/{code}/predecessor-note": [{"code": c} for c in units],
        "/indicators/history/{code}/template": [{"code": s.province.code}],
        "/indicators/history/{code}/imports": [{"code": s.province.code}],
        # No import job exists in the small dataset: the lookup's own 404 is what is checked.
        "/indicators/history-imports/{job_id}": [{"job_id": 987654321}],
        "/indicators/periods/{code}": [{"code": c} for c in ("2025M03", "2025Q1", "2025")],
        "/indicators/metrics/{code}": [{"code": w["metric"].code}] if w["metric"] else [],
        "/indicators/forms/{code}": [{"code": w["form"].code}] if w["form"] else [],
        "/indicators/rules/{code}": [{"code": w["rule"].code}] if w["rule"] else [],
        "/tips/{tip_id}*": [{"tip_id": tip}],
        "/activities/{pk}*": [{"pk": w["activity"].pk}],
        "/activities/photos/{photo_id}": [{"photo_id": w["photo"].pk}],
        "/activities/import/{code}*": [{"code": s.commune.code}],
        "/orgunits/{code}/import*": [{"code": s.commune.code}],
        "/orgunits/{code}/population*": [{"code": c} for c in (s.commune.code, s.province.code)],
        "/indicators/reports/{form_code}/{unit_code}/{period_code}*": [
            {"form_code": w["report_form"].code, "unit_code": s.commune.code, "period_code": p}
            for p in ("2025M03", "2025M04")
        ],
        "/accounts/users/{user_id}*": [
            {"user_id": s.village_member.pk},
            {"user_id": s.commune_chief.pk},
        ],
        "/accounts/users/{user_id}/roles/{assignment_id}": [
            {"user_id": s.village_member.pk, "assignment_id": w["assignment"].pk}
        ],
        "/hotspots/designations/{pk}*": [{"pk": w["designation"].pk}],
        "/hotspots/tasks/{pk}*": [{"pk": w["task"].pk}],
        "/community/schemes/{scheme_id}*": [{"scheme_id": w["scheme"].pk}],
        "/community/teams/{team_id}*": [{"team_id": w["team"].pk}],
        "/community/members/{member_id}": [{"member_id": w["member"].pk}],
        "/community/gradings/{code}/{year}": [
            {"code": s.commune.code, "year": 2025},
            {"code": s.village.code, "year": 2025},
        ],
        "/community/pledges/{pledge_id}": [{"pledge_id": w["pledge"].pk}],
        "/community/decisions/{decision_id}/file": [{"decision_id": w["decision"].pk}],
        "/programs/enrollments/{pk}*": [{"pk": pk} for pk in files],
        "/programs/enrollments/{pk}/*/{criterion_id}": [
            {"pk": files[1], "criterion_id": c} for c in crit
        ],
        "/programs/decisions/{pk}*": [{"pk": w["programme_decision"].pk}],
        "/programs/{code}*": [{"code": c} for c in prog],
        "/programs/{code}/sets/{version}*": [{"code": c, "version": 1} for c in prog],
        "/programs/{code}/sets/{version}/criteria/{criterion_id}": [
            {"code": prog[1], "version": 1, "criterion_id": c} for c in crit
        ],
        "/targets/plans/{plan_id}*": [{"plan_id": w["target_plan"].pk}],
        "/targets/tasks/{task_id}": [{"task_id": w["target_task"].pk}],
        "/targets/targets/{target_id}*": [{"target_id": w["target"].pk}],
        "/targets/campaigns/{campaign_id}*": [{"campaign_id": w["campaign"].pk}],
        "/targets/units/{code}/*": [{"code": c} for c in units],
        # Webhooks belong to system administrators: both callers get the documented 404.
        "/webhooks/{webhook_id}*": [{"webhook_id": 1}],
        "/webhooks/deliveries/{delivery_id}/retry": [{"delivery_id": 1}],
        # Cases are read by their commune chief only: both callers get the documented 404.
        "/cases/cases/{case_id}*": [{"case_id": w["case"].pk}],
        "/cases/cases/{case_id}/helpers/{helper_id}/end": [
            {"case_id": w["case"].pk, "helper_id": w["case_helper"].pk}
        ],
        "/cases/cases/{case_id}/tasks/{task_id}/done": [
            {"case_id": w["case"].pk, "task_id": w["case_task"].pk}
        ],
        "/cases/handovers/{handover_id}/*": [{"handover_id": w["case_handover"].pk}],
        "/cases/subject-requests/{request_id}/*": [{"request_id": w["subject_request"].pk}],
        "/documents/{document_id}*": [{"document_id": w["document"].pk}],
        # The commune officer's reminder: every other caller gets the documented 404.
        "/notifications/{notification_id}/read": [{"notification_id": w["notification"].pk}],
        "/awards/catalogue/{entry_id}": [{"entry_id": w["award_entry"].pk}],
        "/awards/drives/{drive_id}*": [{"drive_id": w["award_drive"].pk}],
        "/awards/reviews/{review_id}*": [{"review_id": w["award_review"].pk}],
        "/awards/review-lines/{line_id}": [{"line_id": w["award_review_line"].pk}],
        "/awards/proposals/{proposal_id}*": [{"proposal_id": w["award_proposal"].pk}],
        "/awards/tips/{tip_id}*": [{"tip_id": tip}],
        # Render tasks belong to their requester: both callers get the documented 404.
        "/documents/tasks/{task_id}*": [{"task_id": "00000000-0000-4000-8000-000000000000"}],
    }


def choices_for(table: dict[str, list[dict]], path: str, names: set[str]) -> list[dict]:
    """Real parameter sets of the most specific pattern naming exactly these parameters."""
    found: list[dict] = []
    for pattern, options in sorted(table.items(), key=lambda kv: -len(kv[0])):
        if fnmatchcase(path, pattern) and options and set(options[0]) == names:
            found = options
            break
    return found


# Body fields that name an administrative unit by its code: filled with real codes at times,
# so creates reach their service instead of stopping at "unit not found".
UNIT_FIELDS = {"unit", "village", "commune_code", "village_code", "to_unit", "commune"}


@dataclass
class Tally:
    operations: int = 0
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    # Operations that answered at least once with something else than "not found" or
    # "off-schema input": the request reached the operation's own logic.
    reached: set[str] = field(default_factory=set)
    # One sample per (operation, status, failed check): the same defect is reported once.
    distinct: dict[tuple[str, int, str], str] = field(default_factory=dict)

    def summary(self) -> str:
        kinds = ", ".join(f"{k}: {n}" for k, n in sorted(self.failures.items())) or "none"
        codes = ", ".join(f"{k}×{n}" for k, n in sorted(self.statuses.items()))
        return (
            f"{self.operations} operations ({len(self.reached)} reached past 404/422), "
            f"{self.requests} requests; statuses {codes}; failures: {kinds}"
        )


@pytest.fixture
def wsgi_app(settings):
    """The project's WSGI application, sharing the test's database transaction."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # Django's own test client does the same: a request must not close the connection that
    # holds the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    cache.clear()
    # 4xx answers are the point of the run: keep their warnings out of the output.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    yield WSGIHandler()
    request_log.setLevel(level)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    cache.clear()


def _strategy(operation: Any, mode: GenerationMode, real: list[dict], codes: list[str]) -> Any:
    generated = operation.as_strategy(generation_mode=mode)
    if not real:
        cases = generated
    else:
        # Two thirds real identifiers, one third generated ones (mostly 404).
        cases = st.one_of(
            generated,
            *[operation.as_strategy(generation_mode=mode, path_parameters=p) for p in real],
        )
    if mode is not GenerationMode.POSITIVE:
        return st.tuples(cases, st.none())
    return st.tuples(cases, st.one_of(st.none(), st.sampled_from(codes)))


def _with_unit(case: Any, code: str | None) -> None:
    if code is None or not isinstance(case.body, dict):
        return
    for key in UNIT_FIELDS & set(case.body):
        if isinstance(case.body[key], str):
            case.body[key] = code
    if isinstance(case.body.get("units"), list):
        case.body["units"] = [code]


def send_and_check(case: Any, mode: GenerationMode, headers: dict[str, str], tally: Tally) -> None:
    """Send one generated request in a rolled-back savepoint and record what the checks find."""
    with transaction.atomic():
        response = case.call(headers=headers)
        transaction.set_rollback(True)
    tally.requests += 1
    tally.statuses[response.status_code] += 1
    if response.status_code not in (404, 422):
        tally.reached.add(case.operation.label)
    try:
        case.validate_response(response, checks=CHECKS, headers=headers)
    except (FailureGroup, Failure) as exc:
        failures = exc.exceptions if isinstance(exc, FailureGroup) else [exc]
        for failure in failures:
            tally.failures[failure.title] += 1
            tally.distinct.setdefault(
                (case.operation.label, response.status_code, failure.title),
                f"{case.method} {case.formatted_path} [{mode.value}] → "
                f"{response.status_code} {response.text[:200]}\n{failure}",
            )


def run_mode(
    operation: Any, mode: GenerationMode, strategy: Any, budget: int, token: str, tally: Tally
) -> None:
    headers = {"Authorization": f"Bearer {token}"}

    # No shrinking: a failure is recorded, never raised, so the run always covers everything.
    @settings(
        max_examples=budget,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def example(drawn: tuple[Any, str | None]) -> None:
        case, unit_code = drawn
        _with_unit(case, unit_code)
        send_and_check(case, mode, headers, tally)

    try:
        example()
    except Unsatisfiable:
        # An operation without any parameter or body has no invalid input to send.
        assert mode is GenerationMode.NEGATIVE, operation.label


def run_operation(
    operation: Any, real: list[dict], codes: list[str], token: str, tally: Tally
) -> None:
    for mode, budget in (
        (GenerationMode.POSITIVE, POSITIVE_EXAMPLES),
        (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES),
    ):
        run_mode(operation, mode, _strategy(operation, mode, real, codes), budget, token, tally)


@pytest.fixture
def contract(s_world, wsgi_app):
    from config.api import api

    document = api.get_openapi_schema()
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = wsgi_app
    return loaded


@pytest.fixture
def s_world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    s = scene()
    return s, dataset(s)


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_keeps_the_published_contract(request, capsys, contract, s_world, role):
    # given a small dataset in the user's scope and a token of that user
    s, world = s_world
    user = getattr(s, role)
    token = bearer(user)
    spare = ApiToken.objects.create(user=user, name="dự phòng", prefix="x", key_hash="x" * 64)
    table = real_path_parameters(s, world, spare.pk)
    codes = [s.commune.code, s.village.code]
    tally = Tally()
    started = time.monotonic()
    # when schemathesis sends generated requests to every operation of the document
    for result in contract.get_all_operations():
        operation = result.ok()
        names = {p.name for p in operation.path_parameters}
        path = operation.path.removeprefix("/api/v1")
        real = choices_for(table, path, names) if names else []
        assert not names or real, f"no real path parameters for {operation.label}"
        tally.operations += 1
        run_operation(operation, real, codes, token, tally)
    elapsed = time.monotonic() - started
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        with capsys.disabled():
            reporter.write_line(f"\nAPI contract [{role}]: {tally.summary()} in {elapsed:.0f}s")
    # then no response is a 5xx, off its schema, or of an undocumented status
    assert not tally.failures, "\n\n".join([tally.summary(), *tally.distinct.values()])
