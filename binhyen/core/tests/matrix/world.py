"""One realistic world for the authorization matrix and the link crawl.

The demo province (Tỉnh Bắc Ninh, code 24) with every role, loaded through the same demo
modules as ``manage.py demo_load`` (so through the services), plus a second province with its
own province officer: the "user of another province". Commune A is Xã Hiệp Hòa (07840), the
home of the commune roles and of the in-scope objects; Phường Bắc Giang (07210) is the other
commune of the same province and the home of the "user of another commune".
"""

from __future__ import annotations

import importlib
import io
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

# Who is asked. Keys are stable: the declaration table refers to them.
ROLE_KEYS = ("admin", "ministry", "province", "viewer", "chief", "officer", "member")
OUTSIDER_KEYS = ("other_commune", "other_province")
DEMO_USERNAMES = {
    "admin": "demo_admin",
    "ministry": "demo_bo",
    "province": "demo_tinh",
    "viewer": "demo_xem",
    "chief": "demo_truong",
    "officer": "demo_canbo",
    "member": "demo_tobv",
    "other_commune": "demo_canbo2",
}
# Roles that must have passed TOTP (settings.OTP_REQUIRED_ROLES).
TWO_FACTOR_KEYS = frozenset({"admin", "ministry", "province", "other_province"})


@dataclass
class World:
    users: dict[str, Any]
    # URL/path argument values by name, e.g. "scheme" -> pk of a scheme of commune A.
    values: dict[str, Any] = field(default_factory=dict)


def _load_demo() -> None:
    from binhyen.orgunits import demo as base_demo
    from binhyen.orgunits.models import Subkind, UnitKind
    from binhyen.orgunits.tests.factories import CommuneFactory, OrgUnitFactory, country

    province = OrgUnitFactory(
        code="24",
        name="Tỉnh Bắc Ninh",
        kind=UnitKind.PROVINCE,
        subkind=Subkind.TINH,
        parent=country(),
    )
    CommuneFactory(code="07840", name="Xã Hiệp Hòa", parent=province)
    CommuneFactory(code="07210", name="Phường Bắc Giang", parent=province, subkind=Subkind.PHUONG)
    out = io.StringIO()
    base_demo.load(out)
    for config in apps.get_app_configs():
        if not config.name.startswith("binhyen.") or config.name == "binhyen.orgunits":
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        module.load(out)


def build() -> World:
    """Load the demo and add one object of every kind the URLs name, all in commune A."""
    from datetime import date
    from unittest import mock

    from binhyen.accounts.models import Role, RoleAssignment, User
    from binhyen.accounts.services import api_token_create
    from binhyen.accounts.tests.factories import user_with_role
    from binhyen.activities.models import Activity
    from binhyen.activities.services import activity_photo_add
    from binhyen.community import services as community
    from binhyen.community.models import Pledge, SecurityTeam, TeamMember
    from binhyen.community.selectors import current_team_year
    from binhyen.community.tests import factories as community_factories
    from binhyen.community.tests.factories import png_bytes, upload
    from binhyen.core.models import WebhookDelivery
    from binhyen.core.notifications import notifications_send
    from binhyen.core.webhooks import secret_suggest, webhook_emit, webhook_subscription_create
    from binhyen.hotspots import services as hotspots
    from binhyen.hotspots.tests.factories import designate
    from binhyen.indicators.models import Metric, ReportForm, ValidationRule
    from binhyen.indicators.selectors import default_report_period
    from binhyen.orgunits.models import OrgUnit
    from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory
    from binhyen.programs import services as programs
    from binhyen.programs.models import Decision as ProgramDecision
    from binhyen.programs.models import Enrollment, Evidence
    from binhyen.programs.tests.factories import pdf as program_pdf
    from binhyen.tips import media as tip_media
    from binhyen.tips import services as tips
    from binhyen.tips.tests.factories import jpeg_with_gps, submit
    from binhyen.tips.tests.factories import upload as tip_upload

    # The metric providers' recomputation is what makes the demo slow; the access model does
    # not depend on the published numbers, so they are left empty here.
    with mock.patch("binhyen.indicators.services.provider_values_sync", lambda **kw: 0):
        _load_demo()
        users = {key: User.objects.get(username=name) for key, name in DEMO_USERNAMES.items()}
        far_province = ProvinceFactory(code="20", name="Tỉnh Lạng Sơn")
        CommuneFactory(code="06100", name="Xã Xa", parent=far_province)
        users["other_province"] = user_with_role(
            Role.PROVINCE_OFFICER, far_province, username="tinh_xa"
        )
        commune = OrgUnit.objects.get(code="07840")
        village = OrgUnit.objects.get(code="07840-T001")
        officer, province = users["officer"], users["province"]

        token, _ = api_token_create(actor=officer, name="máy trạm")
        # A reminder to the commune officer (the one notification of the world).
        notification = notifications_send(
            recipients=[officer],
            message="indicators.report_reminder",
            params={"unit": commune.name, "form": "BC", "form_code": "BC", "period": "2026M01"},
            link="/",
            orgunit=commune,
        )[0]
        tip = submit(commune).tip
        tips.tip_follow_up(
            actor=None,
            tip=tip,
            body="ảnh",
            media=tip_media.process_uploads([tip_upload("a.jpg", jpeg_with_gps())]),
            channel="web",
        )
        activity = Activity.objects.filter(orgunit__path__startswith=commune.path).first()
        assert activity is not None
        photo = activity_photo_add(
            actor=officer, activity=activity, upload=upload("anh.png", png_bytes())
        )
        designation = designate(
            province, commune, decision_file=upload("qd.pdf", b"%PDF-1.4\n%%EOF\n")
        )
        responsibility = hotspots.responsibility_create(
            actor=province, designation=designation, department="Công an xã"
        )
        task = hotspots.plan_task_create(
            actor=province,
            designation=designation,
            title="Lắp camera",
            owner="Công an xã",
            deadline=date(2026, 12, 31),
        )
        # Objects of another village than the security-team member's (T001): the member
        # must not see them.
        other_village = OrgUnit.objects.get(code="07840-T002")
        scheme = community_factories.scheme(
            officer,
            [other_village],
            founding_decision=community.DecisionInput(
                number="12/QĐ-UBND",
                issued_on=date(2025, 3, 1),
                issuing_body="UBND xã",
                upload=upload(),
            ),
        )
        site = community.scheme_site_add(
            actor=officer, scheme=scheme, unit=other_village, established_on=scheme.founded_on
        )
        person = community.scheme_member_add(actor=officer, scheme=scheme, full_name="Lê Văn Tư")
        team = SecurityTeam.objects.filter(village=other_village).first()
        member = TeamMember.objects.filter(team=team).first()
        pledge = Pledge.objects.filter(orgunit=other_village).first()
        decision = scheme.founding_decision
        hotspots.plan_task_report(
            actor=province,
            task=task,
            progress=50,
            status="in_progress",
            completed_on=None,
            evidence="Đã lắp 3/5 camera",
            evidence_file=upload("bien-ban.pdf", b"%PDF-1.4\n%%EOF\n"),
        )
        scheme_type = community.scheme_type_create(
            actor=province,
            province=OrgUnit.objects.get(code="24"),
            name="Xứ đạo bình yên",
            category="khac",
        )
        enrollment = Enrollment.objects.get(unit=commune)
        recognised = Enrollment.objects.get(unit=other_village)
        criteria_set = enrollment.criteria_set
        evidence = Evidence.objects.filter(assessment__enrollment=enrollment).first()
        program_decision = ProgramDecision.objects.first()
        if program_decision is not None:
            programs.decision_scan_attach(
                actor=users["chief"], decision=program_decision, scan=program_pdf()
            )
        form = ReportForm.objects.get(code="bao_cao_thang")
        from binhyen.targets.tests.factories import world_objects as target_objects

        targets_world = target_objects(users["chief"], commune)
        from binhyen.awards.tests.factories import world_objects as award_objects

        awards_world = award_objects(
            chief=users["chief"],
            officer=officer,
            province_officer=users["province"],
            province=OrgUnit.objects.get(code="24"),
            commune=commune,
            village=village,
        )
        # A webhook of the system administrator with one delivery waiting (the receiver's
        # address is not resolved here: the world has no network).
        with mock.patch("binhyen.core.webhooks.target_allowed", lambda url: True):
            webhook = webhook_subscription_create(
                actor=users["admin"],
                name="Hệ thống tỉnh",
                url="https://hooks.example.vn/binhyen",
                secret=secret_suggest(),
                events=["tip.received"],
            )
        with mock.patch("binhyen.core.webhooks._enqueue_on_commit", lambda delivery_id: None):
            webhook_emit(
                event="tip.received", object_type="tip", object_id=tip.pk, unit_code=commune.code
            )
        delivery = WebhookDelivery.objects.filter(subscription=webhook).first()
        # A reintegration case of commune A opened by its chief, assigned to nobody with an
        # account: the commune officer holds no case permission on it. A second case waits
        # for Phường Bắc Giang to accept it.
        from binhyen.cases import services as cases
        from binhyen.cases.tests.factories import case_input

        chief = users["chief"]
        case = cases.case_open(actor=chief, unit=commune, data=case_input())
        case_helper = cases.helper_assign(
            actor=chief, case=case, kind="family", name="Nguyễn Thị Hoa"
        )
        case_task = cases.support_task_add(
            actor=chief, case=case, need="papers", title="Làm căn cước", due_on=date(2026, 12, 31)
        )
        subject_request = cases.subject_request_open(
            actor=chief, case=case, kind="access", received_on=case.opened_on
        )
        moving = cases.case_open(actor=chief, unit=commune, data=case_input(full_name="Lê Văn C"))
        case_handover = cases.handover_request(
            actor=chief, case=moving, to_unit=OrgUnit.objects.get(code="07210")
        )
        from binhyen.documents.services import document_draft_create

        document = document_draft_create(
            actor=users["chief"],
            template_code="bao-cao-phong-trao-xa",
            unit=commune,
            period="2026S1",
        )

    values: dict[str, Any] = {
        "unit": commune.code,
        "village": village.code,
        "province": "24",
        "user": officer.pk,
        "assignment": RoleAssignment.objects.get(user=officer).pk,
        "token": token.pk,
        "notification": notification.pk,
        "metric": Metric.objects.order_by("code").first().code,  # type: ignore[union-attr]
        "form": form.code,
        "period": default_report_period(form).code,
        "rule": ValidationRule.objects.order_by("code").first().code,  # type: ignore[union-attr]
        "tip": tip.pk,
        "tip_media": tip.media.first().pk,  # type: ignore[union-attr]
        "activity": activity.pk,
        "activity_kind": "outreach",
        "activity_photo": photo.pk,
        "designation": designation.pk,
        "hotspot_file": "decision",
        "responsibility": responsibility.pk,
        "task": task.pk,
        "scheme": scheme.pk,
        "site": site.pk,
        "roster": person.pk,
        "scheme_type": scheme_type.pk,
        "team": team.pk if team else None,
        "member": member.pk if member else None,
        "year": current_team_year(),
        "pledge": pledge.pk if pledge else None,
        "decision": decision.pk if decision else None,
        "program": enrollment.program.code,
        "version": criteria_set.version,
        "criterion": criteria_set.criteria.order_by("pk").first().pk,  # type: ignore[union-attr]
        "export_fmt": "xlsx",
        "enrollment": enrollment.pk,
        "recognised_enrollment": recognised.pk,
        "evidence": evidence.pk if evidence else None,
        "program_decision": program_decision.pk if program_decision else None,
        "webhook": webhook.pk,
        "webhook_delivery": delivery.pk if delivery else None,
        "export": "00000000-0000-4000-8000-000000000000",
        "zalo_push": 999_999_999,
        "zalo_action": "retry",
        "case": case.pk,
        "case_helper": case_helper.pk,
        "case_task": case_task.pk,
        "case_handover": case_handover.pk,
        "subject_request": subject_request.pk,
        "document": document.pk,
        "document_job": "00000000-0000-4000-8000-000000000000",
        "template_code": "bao-cao-phong-trao-xa",
        **{key: obj.pk for key, obj in targets_world.items()},
        **{key: obj.pk for key, obj in awards_world.items()},
    }
    missing = [key for key, value in values.items() if value is None]
    assert not missing, f"The demo no longer creates: {missing}"
    return World(users=users, values=values)
