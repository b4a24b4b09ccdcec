"""Every URL of the product and every operation of the API, declared: who may do what.

One line per URL name (pages) or per "METHOD /path" (API operations). A URL or operation
missing here fails ``test_authorization_matrix``; see docs/permissions.md, "The authorization
matrix", for how to declare a new one. The role sets are read as "succeeds on commune A's
object"; everyone else must be refused (404, or 403 for a user who sees the object anyway).
"""

from __future__ import annotations

from binhyen.core.tests.matrix.rules import (
    ADMIN,
    CHIEF,
    EVERYONE,
    MEMBER,
    MINISTRY,
    NOBODY,
    OFFICER,
    PROVINCE,
    SEES_COMMUNE,
    Rule,
    action,
    form,
    public,
    read,
    signed_in,
    staff,
)

# Role sets, named after the permission of binhyen/accounts/permissions.py they stand for.
COMMUNE_STAFF = frozenset({CHIEF, OFFICER})
CHANGE_UNITS = frozenset({ADMIN, MINISTRY, PROVINCE, CHIEF, OFFICER})
MANAGE_USERS = frozenset({ADMIN, PROVINCE, CHIEF})
VIEW_AUDIT = frozenset({ADMIN, MINISTRY, PROVINCE, CHIEF})
ENTER_DATA = COMMUNE_STAFF
APPROVE = frozenset({MINISTRY, PROVINCE, CHIEF})
MANAGE_METRICS = frozenset({ADMIN})
RECORD_ACTIVITIES = COMMUNE_STAFF
MANAGE_HOTSPOTS = frozenset({MINISTRY, PROVINCE})
TRIAGE_TIPS = frozenset({PROVINCE, CHIEF, OFFICER})
VIEW_TIP_CONTACT = frozenset({PROVINCE, CHIEF})
MANAGE_COMMUNITY = frozenset({PROVINCE, CHIEF, OFFICER})
GRADE_TEAMS = frozenset({CHIEF})
MANAGE_PROGRAMS = frozenset({ADMIN, MINISTRY, PROVINCE})
SELF_ASSESS = COMMUNE_STAFF
VERIFY = frozenset({MINISTRY, PROVINCE, CHIEF})
DECIDE = VERIFY
MANAGE_INTEGRATIONS = frozenset({ADMIN})  # outbound webhooks, the Zalo delivery queue
# Reintegration cases: only the chief of the case's commune (the world's case is assigned to
# no account, so the commune officer holds no case permission on it); everyone else, the
# province officer included, gets 404. Province and ministry see the figures only.
MANAGE_CASES = frozenset({CHIEF})
CONFIGURE_CASE_TYPES = frozenset({ADMIN, PROVINCE})
RECEIVING_CHIEF = "only the chief of the receiving commune (Phường Bắc Giang) accepts it"
DRAFT_DOCUMENTS = frozenset({MINISTRY, PROVINCE, CHIEF, OFFICER})
ISSUE_DOCUMENTS = frozenset({MINISTRY, PROVINCE, CHIEF})
MANAGE_TEMPLATES = frozenset({ADMIN, PROVINCE})
MANAGE_TARGETS = frozenset({MINISTRY, PROVINCE, CHIEF})
# Split shares: CHANGE_UNITS held on the province (not on a commune only).
SPLIT_SHARES = frozenset({ADMIN, MINISTRY, PROVINCE})
NO_SPLIT = "the world has no split: the shares of one split are tested in orgunits"
# The history import: APPROVE_REPORTS held on the province (not on a commune only).
HISTORY_IMPORT = frozenset({MINISTRY, PROVINCE})
NO_OLD_AREA = "the world's province has no pre-2025 units: tested in indicators"
# Operations pages are for the deployment's operators (staff, superusers): no role opens them.
OPERATORS = "operators (staff and superusers) only; every role gets 404"
OWNER = frozenset({OFFICER})  # the user's own things (API tokens of the commune officer)
# The demo's commune file is verified at the province level: the chief verifies villages only.
VERIFY_COMMUNE = frozenset({MINISTRY, PROVINCE})
# The demo's programme is national: only national roles edit it (a province adopts a copy).
NATIONAL_PROGRAMS = frozenset({ADMIN, MINISTRY})
# A commune's report is returned, approved and reopened from the level above it.
REVIEW_COMMUNE = frozenset({MINISTRY, PROVINCE})
# Emulation and rewards (binhyen/awards/permissions.py): drafting needs MANAGE_COMMUNITY or
# MANAGE_TARGETS; acting at a level needs DECIDE held on that very unit (the world's proposal
# waits at commune A for its chief; its review's upper level is the province).
AWARDS_MANAGE = frozenset({MINISTRY, PROVINCE, CHIEF, OFFICER})
AWARDS_AT_COMMUNE = frozenset({CHIEF})
AWARDS_AT_PROVINCE = frozenset({PROVINCE})
REPORT = "/api/v1/indicators/reports/{form_code}/{unit_code}/{period_code}"
LOCKED = "the demo's version is published: its criteria are locked for everyone"

PAGES: dict[str, Rule] = {
    # --- home, health, sign-in -------------------------------------------------------------
    "home": signed_in(),
    "core:healthz": public(),
    "core:metrics": public(status=404, note="answers only the METRICS_TOKEN bearer, else 404"),
    "core:operations": read(NOBODY, note=OPERATORS),
    "core:health": read(NOBODY, note=OPERATORS),
    # An export is readable only by the user who asked for it; none exists in the world.
    "core:export": read(NOBODY, pk="export", note="only its requester"),
    "core:export_download": read(NOBODY, pk="export", note="only its requester"),
    # Notifications: everyone's own list; one notification (the officer's) in the world.
    "core:notifications": signed_in(),
    "core:notifications_read_all": action(EVERYONE),
    "core:notification_read": action(OWNER, pk="notification"),
    # --- integrations (system administrators) ----------------------------------------------
    "accounts:webhook_list": read(MANAGE_INTEGRATIONS),
    "accounts:webhook_create": form(MANAGE_INTEGRATIONS),
    "accounts:webhook_edit": form(MANAGE_INTEGRATIONS, pk="webhook"),
    "accounts:webhook_set_active": action(MANAGE_INTEGRATIONS, pk="webhook"),
    "accounts:webhook_deliveries": read(MANAGE_INTEGRATIONS, pk="webhook"),
    "accounts:webhook_delivery_retry": action(MANAGE_INTEGRATIONS, pk="webhook_delivery"),
    "tips:zalo_pushes": read(MANAGE_INTEGRATIONS),
    # No Zalo message waits in the world: the action is asked of a push that does not exist.
    "tips:zalo_push_action": action(
        NOBODY, pk="zalo_push", action="zalo_action", note="no push in the world"
    ),
    "accounts:login": public(),
    "accounts:logout": public(status=302),
    "accounts:otp_verify": signed_in(status=302),
    "accounts:otp_setup": signed_in(status=302),  # a user with an authenticator is sent back
    "accounts:otp_backup_codes": action(EVERYONE),
    "accounts:profile": signed_in(),
    "accounts:password_change": signed_in(),
    "accounts:token_create": action(EVERYONE),
    "accounts:token_revoke": action(OWNER, pk="token"),
    # --- users and the audit log -----------------------------------------------------------
    "accounts:user_list": read(MANAGE_USERS),
    "accounts:user_create": form(MANAGE_USERS),
    "accounts:unit_lookup": read(MANAGE_USERS),
    "accounts:user_detail": read(MANAGE_USERS, pk="user"),
    "accounts:role_grant": action(MANAGE_USERS, pk="user"),
    "accounts:role_revoke": action(MANAGE_USERS, pk="user"),
    "accounts:user_set_active": action(MANAGE_USERS, pk="user"),
    "accounts:user_otp_reset": action(MANAGE_USERS, pk="user"),
    "accounts:audit_list": read(VIEW_AUDIT),
    # --- units -----------------------------------------------------------------------------
    "orgunits:list": read(EVERYONE),
    "orgunits:picker": read(EVERYONE, status=302),  # without a query: back to the list
    "orgunits:detail": read(SEES_COMMUNE, code="unit"),
    "orgunits:children": read(SEES_COMMUNE, status=302, code="unit"),  # to the unit page
    "orgunits:export": read(SEES_COMMUNE, code="unit"),
    "orgunits:create": form(CHANGE_UNITS, code="unit"),
    "orgunits:edit": form(CHANGE_UNITS, code="unit"),
    "orgunits:close": action(CHANGE_UNITS, code="village"),
    "orgunits:import": form(CHANGE_UNITS, code="unit"),
    "orgunits:import_template": read(CHANGE_UNITS, code="unit"),
    "orgunits:population_import": form(CHANGE_UNITS, code="unit"),
    "orgunits:population_template": read(CHANGE_UNITS, code="unit"),
    "orgunits:shares": form(SPLIT_SHARES, code="province"),
    "orgunits:shares_export": read(SPLIT_SHARES, code="province"),
    "orgunits:shares_import": form(SPLIT_SHARES, code="province"),
    # --- indicators ------------------------------------------------------------------------
    "indicators:home": read(EVERYONE, status=302),
    "indicators:dashboard": read(SEES_COMMUNE, code="unit"),
    "indicators:report_list": read(EVERYONE),
    "indicators:report": form(SEES_COMMUNE, writers=ENTER_DATA, unit_code="unit"),
    "indicators:report_template": read(ENTER_DATA, unit_code="unit"),
    "indicators:report_upload": action(ENTER_DATA, unit_code="unit"),
    "indicators:completeness": read(SEES_COMMUNE, unit_code="unit"),
    # Reminding the late units below commune A: whoever reviews their reports (none is late
    # in the world: the reviewer's POST is answered, nothing is sent).
    "indicators:completeness_remind": action(APPROVE, unit_code="unit"),
    "indicators:metric_list": read(EVERYONE),  # the catalogue is public to users
    "indicators:metric_create": form(MANAGE_METRICS),
    "indicators:metric_edit": form(MANAGE_METRICS, code="metric"),
    "indicators:form_list": read(EVERYONE),
    "indicators:form_create": form(MANAGE_METRICS),
    "indicators:form_edit": form(MANAGE_METRICS, code="form"),
    "indicators:rule_list": read(EVERYONE),
    "indicators:rule_create": form(MANAGE_METRICS),
    "indicators:rule_edit": form(MANAGE_METRICS, code="rule"),
    "indicators:history_upload": form(HISTORY_IMPORT, code="province"),
    "indicators:history_template": read(NOBODY, code="province", note=NO_OLD_AREA),
    "indicators:history_job": read(NOBODY, pk="export", note="only its requester"),
    "indicators:rule_toggle": action(MANAGE_METRICS, code="rule"),
    # --- citizen tips (public side, then the officers' side) -------------------------------
    "tips:home": public(),
    "tips:new": public(),
    "tips:follow": public(),
    "tips:receipt": public(status=302),
    "tips:unit_options": public(),
    "tips:zalo_webhook": public(status=405, note="Zalo posts here, signed; a GET is refused"),
    "tips:inbox": read(TRIAGE_TIPS),
    "tips:detail": read(TRIAGE_TIPS, pk="tip"),
    "tips:contact": action(VIEW_TIP_CONTACT, pk="tip"),
    "tips:media": read(TRIAGE_TIPS, pk="tip"),
    "tips:claim": action(TRIAGE_TIPS, pk="tip"),
    "tips:release": action(TRIAGE_TIPS, pk="tip"),
    "tips:verify": action(TRIAGE_TIPS, pk="tip"),
    "tips:valuable": action(TRIAGE_TIPS, pk="tip"),
    "tips:reply": action(TRIAGE_TIPS, pk="tip"),
    "tips:note": action(TRIAGE_TIPS, pk="tip"),
    "tips:conclude": action(TRIAGE_TIPS, pk="tip"),
    "tips:reopen": action(TRIAGE_TIPS, pk="tip"),
    "tips:priority": action(TRIAGE_TIPS, pk="tip"),
    "tips:classify": action(TRIAGE_TIPS, pk="tip"),
    "tips:assign": action(TRIAGE_TIPS, pk="tip"),
    "tips:transfer": action(TRIAGE_TIPS, pk="tip"),
    "tips:merge": action(TRIAGE_TIPS, pk="tip"),
    # --- movement activities ---------------------------------------------------------------
    "activities:list": read(EVERYONE),
    "activities:export": read(EVERYONE),
    "activities:new": read(RECORD_ACTIVITIES),
    "activities:create": form(
        RECORD_ACTIVITIES, denied=frozenset({302}), note="others are sent to the chooser"
    ),
    "activities:detail": read(SEES_COMMUNE, pk="activity"),
    "activities:edit": form(RECORD_ACTIVITIES, pk="activity"),
    "activities:delete": action(RECORD_ACTIVITIES, pk="activity"),
    "activities:photo_add": action(RECORD_ACTIVITIES, pk="activity"),
    "activities:photo": read(SEES_COMMUNE, pk="activity_photo"),
    "activities:photo_delete": action(RECORD_ACTIVITIES, pk="activity_photo"),
    "activities:import": form(RECORD_ACTIVITIES, code="unit"),
    "activities:import_template": read(RECORD_ACTIVITIES, code="unit"),
    # --- official documents ------------------------------------------------------------------
    "documents:list": read(EVERYONE),
    "documents:create": form(DRAFT_DOCUMENTS),
    "documents:detail": read(SEES_COMMUNE, pk="document"),
    "documents:edit": action(DRAFT_DOCUMENTS, pk="document"),
    "documents:issue": action(ISSUE_DOCUMENTS, pk="document"),
    "documents:render": action(DRAFT_DOCUMENTS, pk="document"),
    # The world's document is a draft: only an issued one has a stored Word file.
    "documents:word": read(NOBODY, pk="document", note="a draft has no stored file"),
    # A render job is readable only by the user who asked for it; none exists in the world.
    "documents:job": read(NOBODY, pk="document_job", note="only its requester"),
    "documents:job_download": read(NOBODY, pk="document_job", note="only its requester"),
    "documents:templates": read(EVERYONE),
    "documents:template_download": read(EVERYONE, code="template_code"),
    "documents:template_upload": form(MANAGE_TEMPLATES, code="template_code"),
    "documents:profile": form(ISSUE_DOCUMENTS, code="unit"),
    "documents:pack": form(DRAFT_DOCUMENTS),
    # --- emulation and rewards ---------------------------------------------------------------
    "awards:index": read(EVERYONE),
    "awards:catalogue": read(EVERYONE),
    "awards:entry_create": form(MANAGE_PROGRAMS),
    "awards:entry_edit": form(MANAGE_PROGRAMS, pk="award_entry"),
    "awards:drives": read(EVERYONE),
    "awards:drive_create": form(AWARDS_MANAGE),
    "awards:drive": read(SEES_COMMUNE, pk="award_drive"),
    "awards:drive_link": action(AWARDS_MANAGE, pk="award_drive"),
    "awards:registration_add": action(AWARDS_MANAGE, pk="award_drive"),
    "awards:reviews": read(EVERYONE),
    "awards:review_open": form(AWARDS_MANAGE),
    "awards:review": read(SEES_COMMUNE, pk="award_review"),
    "awards:review_submit": action(AWARDS_AT_COMMUNE, pk="award_review"),
    "awards:review_approve": action(AWARDS_AT_PROVINCE, pk="award_review"),
    "awards:review_return": action(AWARDS_AT_PROVINCE, pk="award_review"),
    "awards:review_entry": action(AWARDS_MANAGE, pk="award_review_line"),
    "awards:proposals": read(EVERYONE),
    "awards:proposals_export": read(EVERYONE),
    "awards:proposal_create": form(AWARDS_MANAGE),
    "awards:proposal": read(SEES_COMMUNE, pk="award_proposal"),
    "awards:nominee_add": action(AWARDS_MANAGE, pk="award_proposal"),
    "awards:proposal_add_kept": action(AWARDS_MANAGE, pk="award_proposal"),
    "awards:proposal_submit": action(AWARDS_MANAGE, pk="award_proposal"),
    "awards:proposal_forward": action(AWARDS_AT_COMMUNE, pk="award_proposal"),
    "awards:proposal_return": action(AWARDS_AT_COMMUNE, pk="award_proposal"),
    "awards:proposal_decide": action(AWARDS_AT_COMMUNE, pk="award_proposal"),
    "awards:rewards": read(EVERYONE),
    "awards:rewards_export": read(EVERYONE),
    "awards:tip_reward": form(TRIAGE_TIPS, tip_id="tip"),
    "awards:collect": form(TRIAGE_TIPS),
    # --- plans, targets, campaigns ---------------------------------------------------------
    "targets:index": read(EVERYONE),
    "targets:plans": read(EVERYONE),
    "targets:plan_create": form(MANAGE_TARGETS),
    "targets:plan": read(SEES_COMMUNE, pk="target_plan"),
    "targets:plan_edit": form(MANAGE_TARGETS, pk="target_plan"),
    "targets:plan_document": read(SEES_COMMUNE, pk="target_plan"),
    "targets:task_add": action(MANAGE_TARGETS, pk="target_plan"),
    "targets:task_update": action(MANAGE_TARGETS, pk="target_task"),
    "targets:campaigns": read(EVERYONE),
    "targets:campaign_create": form(MANAGE_TARGETS),
    "targets:campaign": read(SEES_COMMUNE, pk="campaign"),
    "targets:campaign_close": action(MANAGE_TARGETS, pk="campaign"),
    "targets:target": read(SEES_COMMUNE, pk="target"),
    "targets:target_edit": form(MANAGE_TARGETS, pk="target"),
    "targets:target_delete": action(MANAGE_TARGETS, pk="target"),
    "targets:allocate": action(MANAGE_TARGETS, pk="target"),
    "targets:allocation_sheet": read(SEES_COMMUNE, pk="target"),
    "targets:allocation_import": action(MANAGE_TARGETS, pk="target"),
    "targets:unit": read(SEES_COMMUNE, code="unit"),
    "targets:unit_export": read(SEES_COMMUNE, code="unit"),
    "targets:create": form(MANAGE_TARGETS, code="unit"),
    "targets:import": form(MANAGE_TARGETS, code="unit"),
    "targets:hotspot_seed": action(MANAGE_TARGETS, code="unit"),
    # --- hotspots --------------------------------------------------------------------------
    "hotspots:list": read(EVERYONE),
    "hotspots:export": read(EVERYONE),
    "hotspots:board": read(EVERYONE),
    "hotspots:create": form(MANAGE_HOTSPOTS),
    "hotspots:detail": read(SEES_COMMUNE, pk="designation"),
    "hotspots:edit": form(MANAGE_HOTSPOTS, pk="designation"),
    # The world's designation is on a current commune: sent back to its page with the reason.
    "hotspots:carry_forward": form(MANAGE_HOTSPOTS, status=302, pk="designation"),
    "hotspots:attachment": read(SEES_COMMUNE, pk="designation"),
    "hotspots:responsibility_add": action(MANAGE_HOTSPOTS, pk="designation"),
    "hotspots:responsibility_delete": action(MANAGE_HOTSPOTS, pk="designation"),
    "hotspots:task_add": action(MANAGE_HOTSPOTS, pk="designation"),
    "hotspots:removal_propose": action(MANAGE_HOTSPOTS, pk="designation"),
    "hotspots:removal": action(MANAGE_HOTSPOTS, pk="designation"),
    "hotspots:relapse_add": action(MANAGE_HOTSPOTS, pk="designation"),
    "hotspots:task": form(frozenset({MINISTRY, PROVINCE, CHIEF, OFFICER}), pk="task"),
    "hotspots:task_evidence": read(SEES_COMMUNE, pk="task"),
    # --- community: schemes, teams, pledges ------------------------------------------------
    "community:index": read(EVERYONE),
    "community:scheme_list": read(EVERYONE),
    "community:scheme_export": read(EVERYONE),
    "community:scheme_create": form(MANAGE_COMMUNITY),
    "community:scheme_detail": read(SEES_COMMUNE, pk="scheme"),
    "community:scheme_edit": form(MANAGE_COMMUNITY, pk="scheme"),
    "community:scheme_status": action(MANAGE_COMMUNITY, pk="scheme"),
    # The world's scheme is on current units: those who may record on it are sent back to
    # its page with the reason; a closed unit's bulk move is refused on a current unit.
    "community:scheme_carry_forward": form(MANAGE_COMMUNITY, status=302, pk="scheme"),
    "community:scheme_carry_forward_all": form(
        NOBODY, code="unit", note="only on a unit closed by the reform"
    ),
    "community:scheme_site_add": form(MANAGE_COMMUNITY, pk="scheme"),
    "community:scheme_member_add": action(MANAGE_COMMUNITY, pk="scheme"),
    "community:scheme_grading_add": form(MANAGE_COMMUNITY, pk="scheme"),
    "community:scheme_site_end": action(MANAGE_COMMUNITY, pk="site"),
    "community:scheme_member_remove": action(MANAGE_COMMUNITY, pk="roster"),
    "community:type_list": read(EVERYONE),
    "community:type_create": form(frozenset({ADMIN})),  # the national catalogue
    "community:type_edit": form(frozenset({PROVINCE}), pk="scheme_type"),
    "community:type_typical": action(frozenset({PROVINCE}), pk="scheme_type"),
    "community:team_list": read(EVERYONE),
    "community:team_export": read(EVERYONE),
    "community:team_create": form(MANAGE_COMMUNITY),
    "community:team_detail": read(SEES_COMMUNE, pk="team"),
    "community:team_edit": form(MANAGE_COMMUNITY, pk="team"),
    # The world's team is on a current village: sent back to its page with the reason.
    "community:team_carry_forward": form(MANAGE_COMMUNITY, status=302, pk="team"),
    "community:team_dissolve": action(MANAGE_COMMUNITY, pk="team"),
    "community:member_create": form(MANAGE_COMMUNITY, pk="team"),
    "community:training_create": form(MANAGE_COMMUNITY, pk="team"),
    "community:member_edit": form(MANAGE_COMMUNITY, pk="member"),
    "community:grading_index": read(
        frozenset({PROVINCE}), denied=frozenset({302}), note="commune users go to their sheet"
    ),
    "community:grading_sheet": form(SEES_COMMUNE, writers=GRADE_TEAMS, code="unit"),
    "community:rules": form(EVERYONE, writers=frozenset({PROVINCE}), code="province"),
    "community:pledge_list": read(EVERYONE),
    "community:pledge_export": read(EVERYONE),
    "community:pledge_create": form(MANAGE_COMMUNITY),
    "community:pledge_detail": read(SEES_COMMUNE, pk="pledge"),
    "community:pledge_edit": form(MANAGE_COMMUNITY, pk="pledge"),
    "community:pledge_delete": action(MANAGE_COMMUNITY, pk="pledge"),
    "community:decision_file": read(SEES_COMMUNE, pk="decision"),
    # --- recognition programmes ------------------------------------------------------------
    "programs:index": read(EVERYONE),
    "programs:create": form(MANAGE_PROGRAMS),
    "programs:enrollment": read(SEES_COMMUNE, pk="enrollment"),
    "programs:assess": action(SELF_ASSESS, pk="enrollment", denied=frozenset({302})),
    "programs:evidence_add": action(SELF_ASSESS, pk="enrollment", denied=frozenset({302})),
    "programs:submit": action(SELF_ASSESS, pk="enrollment"),
    "programs:verify": read(VERIFY_COMMUNE, pk="enrollment"),
    "programs:verdict": action(VERIFY_COMMUNE, pk="enrollment"),
    "programs:verify_finish": action(VERIFY_COMMUNE, pk="enrollment"),
    "programs:return": action(VERIFY_COMMUNE, pk="enrollment"),
    "programs:withdraw": action(VERIFY_COMMUNE, pk="enrollment"),
    "programs:certificate": read(SEES_COMMUNE, pk="recognised_enrollment"),
    "programs:evidence_file": read(SEES_COMMUNE, pk="evidence"),
    "programs:evidence_delete": action(SELF_ASSESS, pk="evidence"),
    "programs:decision": read(SEES_COMMUNE | {MEMBER}, pk="program_decision"),
    "programs:decision_list": read(SEES_COMMUNE | {MEMBER}, pk="program_decision"),
    "programs:decision_scan": read(SEES_COMMUNE | {MEMBER}, pk="program_decision"),
    "programs:detail": read(EVERYONE, code="program"),
    "programs:edit": form(NATIONAL_PROGRAMS, code="program"),
    "programs:adopt": action(MANAGE_PROGRAMS, code="program"),
    "programs:enrol": action(SELF_ASSESS, code="program", denied=frozenset({302})),
    "programs:overview": read(EVERYONE, code="program"),
    "programs:decide": form(DECIDE, code="program"),
    "programs:new_version": action(NATIONAL_PROGRAMS, code="program"),
    "programs:set_editor": read(EVERYONE, code="program"),
    "programs:set_settings": action(NATIONAL_PROGRAMS, code="program"),
    "programs:set_publish": action(NATIONAL_PROGRAMS, code="program"),
    "programs:rule_check": action(EVERYONE, code="program"),  # checks, stores nothing
    "programs:set_import": action(NATIONAL_PROGRAMS, code="program"),
    "programs:set_export": read(EVERYONE, code="program"),
    "programs:criterion_new": form(NOBODY, code="program", note=LOCKED),
    "programs:criterion_edit": form(NOBODY, code="program", pk="criterion", note=LOCKED),
    "programs:criterion_delete": action(NATIONAL_PROGRAMS, code="program", pk="criterion"),
    # --- reintegration cases ---------------------------------------------------------------
    "cases:list": read(MANAGE_CASES),
    "cases:create": form(MANAGE_CASES),
    "cases:export": read(MANAGE_CASES, code="unit"),
    "cases:types": read(EVERYONE),
    "cases:type_create": form(CONFIGURE_CASE_TYPES),
    "cases:figures_home": read(EVERYONE, status=302),
    "cases:figures": read(SEES_COMMUNE, code="unit"),
    "cases:detail": read(MANAGE_CASES, pk="case"),
    "cases:edit": form(MANAGE_CASES, pk="case"),
    "cases:reveal": action(MANAGE_CASES, pk="case"),
    "cases:history": read(MANAGE_CASES, pk="case"),
    "cases:helper_add": action(MANAGE_CASES, pk="case"),
    "cases:helper_end": action(MANAGE_CASES, pk="case", item="case_helper"),
    "cases:task_add": action(MANAGE_CASES, pk="case"),
    "cases:task_done": action(MANAGE_CASES, pk="case", item="case_task"),
    "cases:review_add": action(MANAGE_CASES, pk="case"),
    "cases:outcome_add": action(MANAGE_CASES, pk="case"),
    "cases:close": action(MANAGE_CASES, pk="case"),
    "cases:anonymise": action(MANAGE_CASES, pk="case"),
    "cases:handover": action(MANAGE_CASES, pk="case"),
    "cases:request_add": action(MANAGE_CASES, pk="case"),
    "cases:handover_accept": action(NOBODY, pk="case_handover", note=RECEIVING_CHIEF),
    "cases:handover_cancel": action(MANAGE_CASES, pk="case_handover"),
    "cases:request_complete": action(MANAGE_CASES, pk="subject_request"),
    "cases:request_export": read(MANAGE_CASES, pk="subject_request"),
    # --- the API's own pages, languages, Django's admin ------------------------------------
    "api:openapi-json": public(),
    "api:openapi-view": public(),
    "set_language": public(status=302),
    "admin:*": staff(),
    # --- offline field app: the shell, manifest and worker are the same public files for
    # everyone; the bundle answers every signed-in user with their own scope only.
    "field:shell": public(),
    "field:manifest": public(),
    "field:service_worker": public(),
    "field:bootstrap": signed_in(),
}

API: dict[str, Rule] = {
    # --- reintegration cases (the list answers only the caller's own cases) ----------------
    "GET /api/v1/cases/cases": read(EVERYONE),
    "POST /api/v1/cases/cases": action(MANAGE_CASES),
    "GET /api/v1/cases/cases/{case_id}": read(MANAGE_CASES),
    "PUT /api/v1/cases/cases/{case_id}": action(MANAGE_CASES),
    "POST /api/v1/cases/cases/{case_id}/reveal": action(MANAGE_CASES),
    "POST /api/v1/cases/cases/{case_id}/helpers": action(MANAGE_CASES),
    "POST /api/v1/cases/cases/{case_id}/helpers/{helper_id}/end": action(MANAGE_CASES),
    "POST /api/v1/cases/cases/{case_id}/tasks": action(MANAGE_CASES),
    "POST /api/v1/cases/cases/{case_id}/tasks/{task_id}/done": action(
        MANAGE_CASES, task_id="case_task"
    ),
    "POST /api/v1/cases/cases/{case_id}/reviews": action(MANAGE_CASES),
    "POST /api/v1/cases/cases/{case_id}/outcomes": action(MANAGE_CASES),
    "POST /api/v1/cases/cases/{case_id}/close": action(MANAGE_CASES),
    "POST /api/v1/cases/cases/{case_id}/anonymise": action(MANAGE_CASES),
    "POST /api/v1/cases/cases/{case_id}/handover": action(MANAGE_CASES),
    "GET /api/v1/cases/cases/{case_id}/access-history": read(MANAGE_CASES),
    "POST /api/v1/cases/cases/{case_id}/subject-requests": action(MANAGE_CASES),
    "GET /api/v1/cases/handovers": read(EVERYONE),
    "POST /api/v1/cases/handovers/{handover_id}/accept": action(NOBODY, note=RECEIVING_CHIEF),
    "POST /api/v1/cases/handovers/{handover_id}/cancel": action(MANAGE_CASES),
    "POST /api/v1/cases/subject-requests/{request_id}/complete": action(MANAGE_CASES),
    "GET /api/v1/cases/subject-requests/{request_id}/export": read(MANAGE_CASES),
    "GET /api/v1/cases/types": read(EVERYONE),
    "POST /api/v1/cases/types": action(CONFIGURE_CASE_TYPES),
    "GET /api/v1/cases/figures": read(EVERYONE),
    "GET /api/v1/ops/status": read(NOBODY, note=OPERATORS),
    "GET /api/v1/notifications/": signed_in(),
    "POST /api/v1/notifications/read": action(EVERYONE),
    "POST /api/v1/notifications/{notification_id}/read": action(OWNER),
    "GET /api/v1/webhooks": read(MANAGE_INTEGRATIONS),
    "POST /api/v1/webhooks": action(MANAGE_INTEGRATIONS),
    "GET /api/v1/webhooks/{webhook_id}": read(MANAGE_INTEGRATIONS),
    "PUT /api/v1/webhooks/{webhook_id}": action(MANAGE_INTEGRATIONS),
    "POST /api/v1/webhooks/{webhook_id}/active": action(MANAGE_INTEGRATIONS),
    "GET /api/v1/webhooks/{webhook_id}/deliveries": read(MANAGE_INTEGRATIONS),
    "POST /api/v1/webhooks/deliveries/{delivery_id}/retry": action(MANAGE_INTEGRATIONS),
    # --- accounts --------------------------------------------------------------------------
    "GET /api/v1/accounts/me": signed_in(),
    "GET /api/v1/accounts/tokens": signed_in(),
    "POST /api/v1/accounts/tokens": action(EVERYONE),
    "DELETE /api/v1/accounts/tokens/{token_id}": action(OWNER),
    "GET /api/v1/accounts/users": read(MANAGE_USERS),
    "POST /api/v1/accounts/users": action(MANAGE_USERS),
    "GET /api/v1/accounts/users/{user_id}": read(MANAGE_USERS),
    "PATCH /api/v1/accounts/users/{user_id}": action(MANAGE_USERS),
    "POST /api/v1/accounts/users/{user_id}/active": action(MANAGE_USERS),
    "POST /api/v1/accounts/users/{user_id}/otp-reset": action(MANAGE_USERS),
    "GET /api/v1/accounts/users/{user_id}/roles": read(MANAGE_USERS),
    "POST /api/v1/accounts/users/{user_id}/roles": action(MANAGE_USERS),
    "DELETE /api/v1/accounts/users/{user_id}/roles/{assignment_id}": action(MANAGE_USERS),
    "GET /api/v1/accounts/audit": read(VIEW_AUDIT),
    # --- units -----------------------------------------------------------------------------
    "GET /api/v1/orgunits": read(EVERYONE),
    "GET /api/v1/orgunits/resolve": read(EVERYONE, status=422),
    "GET /api/v1/orgunits/{code}": read(SEES_COMMUNE, code="unit"),
    "PATCH /api/v1/orgunits/{code}": action(
        CHANGE_UNITS, code="unit", denied=frozenset({400}), note="an empty change is refused first"
    ),
    "GET /api/v1/orgunits/{code}/children": read(SEES_COMMUNE, code="unit"),
    "POST /api/v1/orgunits/{code}/children": action(CHANGE_UNITS, code="unit"),
    "GET /api/v1/orgunits/{code}/lineage": read(SEES_COMMUNE, code="unit"),
    "POST /api/v1/orgunits/{code}/import": action(CHANGE_UNITS, code="unit"),
    "GET /api/v1/orgunits/{code}/import/template": read(CHANGE_UNITS, code="unit"),
    "POST /api/v1/orgunits/{code}/population": action(CHANGE_UNITS, code="unit"),
    "GET /api/v1/orgunits/{code}/population/template": read(CHANGE_UNITS, code="unit"),
    "GET /api/v1/orgunits/{code}/splits": read(SPLIT_SHARES, code="province"),
    "GET /api/v1/orgunits/{code}/split-shares": read(NOBODY, code="province", note=NO_SPLIT),
    "PUT /api/v1/orgunits/{code}/split-shares": action(NOBODY, code="province", note=NO_SPLIT),
    # --- indicators ------------------------------------------------------------------------
    "GET /api/v1/analytics": read(EVERYONE, status=422),
    "GET /api/v1/indicators/metrics": read(EVERYONE),
    "GET /api/v1/indicators/units/{code}/predecessor-note": read(SEES_COMMUNE, code="unit"),
    "GET /api/v1/indicators/history/{code}/template": read(
        NOBODY, code="province", note=NO_OLD_AREA
    ),
    "POST /api/v1/indicators/history/{code}/imports": action(
        NOBODY, code="province", note=NO_OLD_AREA
    ),
    "GET /api/v1/indicators/history-imports/{job_id}": read(
        NOBODY, job_id="export", note="only its requester"
    ),
    "POST /api/v1/indicators/metrics": action(MANAGE_METRICS),
    "GET /api/v1/indicators/periods/{code}": read(EVERYONE, code="period"),
    "PUT /api/v1/indicators/metrics/{code}": action(MANAGE_METRICS, code="metric"),
    "GET /api/v1/indicators/forms": read(EVERYONE),
    "POST /api/v1/indicators/forms": action(MANAGE_METRICS),
    "PUT /api/v1/indicators/forms/{code}": action(MANAGE_METRICS, code="form"),
    "GET /api/v1/indicators/rules": read(EVERYONE),
    "POST /api/v1/indicators/rules": action(MANAGE_METRICS),
    "PUT /api/v1/indicators/rules/{code}": action(MANAGE_METRICS, code="rule"),
    "GET /api/v1/indicators/reports": read(EVERYONE),
    f"GET {REPORT}": read(SEES_COMMUNE),
    f"PUT {REPORT}/values": action(ENTER_DATA),
    f"POST {REPORT}/submit": action(ENTER_DATA),
    f"POST {REPORT}/return": action(REVIEW_COMMUNE),
    f"POST {REPORT}/approve": action(REVIEW_COMMUNE),
    f"POST {REPORT}/reopen": action(REVIEW_COMMUNE),
    f"GET {REPORT}/template": read(ENTER_DATA),
    f"POST {REPORT}/upload": action(ENTER_DATA),
    f"GET {REPORT}/completeness": read(SEES_COMMUNE),
    f"POST {REPORT}/completeness/remind": action(APPROVE),
    # --- citizen tips ----------------------------------------------------------------------
    "GET /api/v1/tips/challenge": public(),
    "POST /api/v1/tips/": public(status=422),
    "POST /api/v1/tips/status": public(status=422),
    "POST /api/v1/tips/follow-up": public(status=422),
    "GET /api/v1/tips/inbox": read(EVERYONE, note="only the tips the user may triage"),
    "GET /api/v1/tips/{tip_id}": read(TRIAGE_TIPS),
    "GET /api/v1/tips/reply-templates": read(TRIAGE_TIPS),
    "POST /api/v1/tips/{tip_id}/claim": action(TRIAGE_TIPS),
    "POST /api/v1/tips/{tip_id}/release": action(TRIAGE_TIPS),
    "POST /api/v1/tips/{tip_id}/assign": action(TRIAGE_TIPS),
    "POST /api/v1/tips/{tip_id}/priority": action(TRIAGE_TIPS),
    "POST /api/v1/tips/{tip_id}/classify": action(TRIAGE_TIPS),
    "POST /api/v1/tips/{tip_id}/state": action(TRIAGE_TIPS),
    "POST /api/v1/tips/{tip_id}/messages": action(TRIAGE_TIPS),
    "POST /api/v1/tips/{tip_id}/notes": action(TRIAGE_TIPS),
    "POST /api/v1/tips/{tip_id}/transfer": action(TRIAGE_TIPS),
    "POST /api/v1/tips/{tip_id}/place": action(TRIAGE_TIPS),
    "GET /api/v1/tips/{tip_id}/duplicates": read(TRIAGE_TIPS),
    "POST /api/v1/tips/{tip_id}/merge": action(TRIAGE_TIPS),
    "POST /api/v1/tips/{tip_id}/valuable": action(TRIAGE_TIPS),
    "GET /api/v1/tips/{tip_id}/contact": read(
        VIEW_TIP_CONTACT, status=409, note="an anonymous tip has no contact to reveal"
    ),
    # --- movement activities ---------------------------------------------------------------
    "GET /api/v1/activities": read(EVERYONE),
    "POST /api/v1/activities": action(RECORD_ACTIVITIES),
    "GET /api/v1/activities/{pk}": read(SEES_COMMUNE, pk="activity"),
    "PUT /api/v1/activities/{pk}": action(RECORD_ACTIVITIES, pk="activity"),
    "DELETE /api/v1/activities/{pk}": action(RECORD_ACTIVITIES, pk="activity"),
    "POST /api/v1/activities/import/{code}": action(RECORD_ACTIVITIES, code="unit"),
    "GET /api/v1/activities/import/{code}/template": read(RECORD_ACTIVITIES, code="unit"),
    "GET /api/v1/activities/{pk}/photos": read(SEES_COMMUNE, pk="activity"),
    "POST /api/v1/activities/{pk}/photos": action(RECORD_ACTIVITIES, pk="activity"),
    "GET /api/v1/activities/photos/{photo_id}": read(SEES_COMMUNE),
    "DELETE /api/v1/activities/photos/{photo_id}": action(RECORD_ACTIVITIES),
    # --- emulation and rewards ---------------------------------------------------------------
    "GET /api/v1/awards/catalogue": read(EVERYONE),
    "POST /api/v1/awards/catalogue": action(MANAGE_PROGRAMS),
    "PATCH /api/v1/awards/catalogue/{entry_id}": action(MANAGE_PROGRAMS),
    "GET /api/v1/awards/drives": read(EVERYONE),
    "POST /api/v1/awards/drives": action(AWARDS_MANAGE),
    "GET /api/v1/awards/drives/{drive_id}": read(SEES_COMMUNE),
    "POST /api/v1/awards/drives/{drive_id}/registrations": action(AWARDS_MANAGE),
    "POST /api/v1/awards/drives/{drive_id}/link-pledges": action(AWARDS_MANAGE),
    "GET /api/v1/awards/reviews": read(EVERYONE),
    "POST /api/v1/awards/reviews": action(AWARDS_MANAGE),
    "GET /api/v1/awards/reviews/{review_id}": read(SEES_COMMUNE),
    "POST /api/v1/awards/review-lines/{line_id}": action(AWARDS_MANAGE),
    "POST /api/v1/awards/reviews/{review_id}/submit": action(AWARDS_AT_COMMUNE),
    "POST /api/v1/awards/reviews/{review_id}/approve": action(AWARDS_AT_PROVINCE),
    "POST /api/v1/awards/reviews/{review_id}/return": action(AWARDS_AT_PROVINCE),
    "GET /api/v1/awards/proposals": read(EVERYONE),
    "POST /api/v1/awards/proposals": action(AWARDS_MANAGE),
    "GET /api/v1/awards/proposals/{proposal_id}": read(SEES_COMMUNE),
    "POST /api/v1/awards/proposals/{proposal_id}/nominees": action(AWARDS_MANAGE),
    "POST /api/v1/awards/proposals/{proposal_id}/kept": action(AWARDS_MANAGE),
    "POST /api/v1/awards/proposals/{proposal_id}/submit": action(AWARDS_MANAGE),
    "POST /api/v1/awards/proposals/{proposal_id}/forward": action(AWARDS_AT_COMMUNE),
    "POST /api/v1/awards/proposals/{proposal_id}/return": action(AWARDS_AT_COMMUNE),
    "POST /api/v1/awards/proposals/{proposal_id}/decide": action(AWARDS_AT_COMMUNE),
    "GET /api/v1/awards/rewards": read(EVERYONE),
    "GET /api/v1/awards/figures": read(EVERYONE),
    "POST /api/v1/awards/tips/{tip_id}/reward": action(TRIAGE_TIPS),
    "POST /api/v1/awards/collect": action(TRIAGE_TIPS),
    # --- plans, targets, campaigns ---------------------------------------------------------
    "GET /api/v1/targets/plans": read(EVERYONE),
    "POST /api/v1/targets/plans": action(MANAGE_TARGETS),
    "GET /api/v1/targets/plans/{plan_id}": read(SEES_COMMUNE),
    "PUT /api/v1/targets/plans/{plan_id}": action(MANAGE_TARGETS),
    "POST /api/v1/targets/plans/{plan_id}/tasks": action(MANAGE_TARGETS),
    "POST /api/v1/targets/tasks/{task_id}": action(MANAGE_TARGETS, task_id="target_task"),
    "GET /api/v1/targets/units/{code}/targets": read(SEES_COMMUNE, code="unit"),
    "GET /api/v1/targets/units/{code}/target-values": read(SEES_COMMUNE, code="unit"),
    "POST /api/v1/targets/units/{code}/targets": action(MANAGE_TARGETS, code="unit"),
    "POST /api/v1/targets/units/{code}/targets/import": action(MANAGE_TARGETS, code="unit"),
    "POST /api/v1/targets/units/{code}/hotspot-targets": action(MANAGE_TARGETS, code="unit"),
    "GET /api/v1/targets/targets/{target_id}": read(SEES_COMMUNE),
    "PATCH /api/v1/targets/targets/{target_id}": action(MANAGE_TARGETS),
    "DELETE /api/v1/targets/targets/{target_id}": action(MANAGE_TARGETS),
    "POST /api/v1/targets/targets/{target_id}/allocations": action(MANAGE_TARGETS),
    "POST /api/v1/targets/targets/{target_id}/allocations/import": action(MANAGE_TARGETS),
    "GET /api/v1/targets/campaigns": read(EVERYONE),
    "POST /api/v1/targets/campaigns": action(MANAGE_TARGETS),
    "GET /api/v1/targets/campaigns/{campaign_id}": read(SEES_COMMUNE),
    "POST /api/v1/targets/campaigns/{campaign_id}/close": action(MANAGE_TARGETS),
    # --- hotspots --------------------------------------------------------------------------
    "GET /api/v1/hotspots/designations": read(EVERYONE),
    "POST /api/v1/hotspots/designations": action(MANAGE_HOTSPOTS),
    "GET /api/v1/hotspots/designations/{pk}": read(SEES_COMMUNE, pk="designation"),
    "PUT /api/v1/hotspots/designations/{pk}": action(MANAGE_HOTSPOTS, pk="designation"),
    "POST /api/v1/hotspots/designations/{pk}/tasks": action(MANAGE_HOTSPOTS, pk="designation"),
    "POST /api/v1/hotspots/tasks/{pk}/progress": action(SEES_COMMUNE, pk="task"),
    "POST /api/v1/hotspots/designations/{pk}/removal-proposal": action(
        MANAGE_HOTSPOTS, pk="designation"
    ),
    "POST /api/v1/hotspots/designations/{pk}/removal": action(MANAGE_HOTSPOTS, pk="designation"),
    "POST /api/v1/hotspots/designations/{pk}/relapses": action(MANAGE_HOTSPOTS, pk="designation"),
    "POST /api/v1/hotspots/designations/{pk}/carry-forward": action(
        MANAGE_HOTSPOTS, pk="designation"
    ),
    "GET /api/v1/hotspots/board": read(EVERYONE),
    "POST /api/v1/hotspots/designations/{pk}/files/decision": action(
        MANAGE_HOTSPOTS, pk="designation"
    ),
    "POST /api/v1/hotspots/designations/{pk}/removal/file": action(
        MANAGE_HOTSPOTS, pk="designation"
    ),
    "POST /api/v1/hotspots/tasks/{pk}/progress/file": action(SEES_COMMUNE, pk="task"),
    "GET /api/v1/hotspots/designations/{pk}/files/decision": read(SEES_COMMUNE, pk="designation"),
    "GET /api/v1/hotspots/designations/{pk}/files/removal": read(
        NOBODY, pk="designation", note="the designation has no removal decision"
    ),
    "GET /api/v1/hotspots/tasks/{pk}/evidence": read(SEES_COMMUNE, pk="task"),
    # --- community -------------------------------------------------------------------------
    "GET /api/v1/community/scheme-types": read(EVERYONE),
    "POST /api/v1/community/scheme-types": action(frozenset({ADMIN, PROVINCE})),
    "GET /api/v1/community/schemes": read(EVERYONE),
    "POST /api/v1/community/schemes": action(MANAGE_COMMUNITY),
    "GET /api/v1/community/schemes/{scheme_id}": read(SEES_COMMUNE),
    "PATCH /api/v1/community/schemes/{scheme_id}": action(MANAGE_COMMUNITY),
    "POST /api/v1/community/schemes/{scheme_id}/status": action(MANAGE_COMMUNITY),
    "POST /api/v1/community/schemes/{scheme_id}/carry-forward": action(MANAGE_COMMUNITY),
    "POST /api/v1/community/schemes/{scheme_id}/sites": action(MANAGE_COMMUNITY),
    "POST /api/v1/community/schemes/{scheme_id}/gradings": action(MANAGE_COMMUNITY),
    "GET /api/v1/community/teams": read(EVERYONE),
    "POST /api/v1/community/teams": action(MANAGE_COMMUNITY),
    "GET /api/v1/community/teams/{team_id}": read(SEES_COMMUNE),
    "PATCH /api/v1/community/teams/{team_id}": action(MANAGE_COMMUNITY),
    "POST /api/v1/community/teams/{team_id}/dissolve": action(MANAGE_COMMUNITY),
    "POST /api/v1/community/teams/{team_id}/carry-forward": action(MANAGE_COMMUNITY),
    "POST /api/v1/community/teams/{team_id}/members": action(MANAGE_COMMUNITY),
    "PATCH /api/v1/community/members/{member_id}": action(MANAGE_COMMUNITY),
    "POST /api/v1/community/teams/{team_id}/trainings": action(MANAGE_COMMUNITY),
    "GET /api/v1/community/gradings/{code}/{year}": read(SEES_COMMUNE, code="unit"),
    "POST /api/v1/community/gradings/{code}/{year}": action(GRADE_TEAMS, code="unit"),
    "GET /api/v1/community/pledges": read(EVERYONE),
    "POST /api/v1/community/pledges": action(MANAGE_COMMUNITY),
    "GET /api/v1/community/pledges/{pledge_id}": read(SEES_COMMUNE),
    "PATCH /api/v1/community/pledges/{pledge_id}": action(MANAGE_COMMUNITY),
    "DELETE /api/v1/community/pledges/{pledge_id}": action(MANAGE_COMMUNITY),
    "POST /api/v1/community/decisions/{decision_id}/file": action(MANAGE_COMMUNITY),
    # --- recognition programmes ------------------------------------------------------------
    "GET /api/v1/programs": read(EVERYONE),
    "POST /api/v1/programs": action(MANAGE_PROGRAMS),
    "GET /api/v1/programs/enrollments": read(EVERYONE),
    "GET /api/v1/programs/enrollments/{pk}": read(SEES_COMMUNE, pk="enrollment"),
    "GET /api/v1/programs/enrollments/{pk}/timeline": read(SEES_COMMUNE, pk="enrollment"),
    "POST /api/v1/programs/enrollments/{pk}/assessments/{criterion_id}": action(
        SELF_ASSESS, pk="enrollment"
    ),
    "POST /api/v1/programs/enrollments/{pk}/evidence/{criterion_id}": action(
        SELF_ASSESS, pk="enrollment"
    ),
    "POST /api/v1/programs/enrollments/{pk}/submit": action(SELF_ASSESS, pk="enrollment"),
    "POST /api/v1/programs/enrollments/{pk}/return": action(VERIFY_COMMUNE, pk="enrollment"),
    "POST /api/v1/programs/enrollments/{pk}/verdicts/{criterion_id}": action(
        VERIFY_COMMUNE, pk="enrollment"
    ),
    "POST /api/v1/programs/enrollments/{pk}/verify": action(VERIFY_COMMUNE, pk="enrollment"),
    "POST /api/v1/programs/enrollments/{pk}/withdraw": action(VERIFY_COMMUNE, pk="enrollment"),
    "GET /api/v1/programs/decisions/{pk}": read(SEES_COMMUNE | {MEMBER}, pk="program_decision"),
    "GET /api/v1/programs/decisions/{pk}/scan": read(
        SEES_COMMUNE | {MEMBER}, pk="program_decision"
    ),
    "POST /api/v1/programs/decisions/{pk}/scan": action(DECIDE, pk="program_decision"),
    "GET /api/v1/programs/{code}": read(EVERYONE, code="program"),
    "PUT /api/v1/programs/{code}": action(NATIONAL_PROGRAMS, code="program"),
    "PUT /api/v1/programs/{code}/sets/{version}/settings": action(
        NATIONAL_PROGRAMS, code="program"
    ),
    "DELETE /api/v1/programs/{code}/sets/{version}/criteria/{criterion_id}": action(
        NATIONAL_PROGRAMS, code="program"
    ),
    "PUT /api/v1/programs/{code}/sets/{version}/criteria/{criterion_id}": action(
        NATIONAL_PROGRAMS, code="program"
    ),
    "GET /api/v1/programs/{code}/sets/{version}": read(EVERYONE, code="program"),
    "POST /api/v1/programs/{code}/sets": action(NATIONAL_PROGRAMS, code="program"),
    "POST /api/v1/programs/{code}/sets/{version}/validate": action(
        NATIONAL_PROGRAMS, code="program"
    ),
    "POST /api/v1/programs/{code}/sets/{version}/criteria": action(
        NATIONAL_PROGRAMS, code="program"
    ),
    "POST /api/v1/programs/{code}/sets/{version}/publish": action(
        NATIONAL_PROGRAMS, code="program"
    ),
    "GET /api/v1/programs/{code}/sets/{version}/export": read(EVERYONE, code="program"),
    "POST /api/v1/programs/{code}/sets/{version}/import": action(
        NATIONAL_PROGRAMS,
        code="program",
        denied=frozenset({400}),
        note="the document is read first",
    ),
    "POST /api/v1/programs/{code}/enrollments": action(SELF_ASSESS, code="program"),
    "POST /api/v1/programs/{code}/decisions": action(DECIDE, code="program"),
    "GET /api/v1/programs/{code}/overview": read(EVERYONE, code="program"),
    # --- official documents ----------------------------------------------------------------
    "GET /api/v1/documents/templates": read(EVERYONE),
    "GET /api/v1/documents": read(EVERYONE),
    "POST /api/v1/documents": action(DRAFT_DOCUMENTS),
    "GET /api/v1/documents/{document_id}": read(SEES_COMMUNE),
    "PATCH /api/v1/documents/{document_id}": action(DRAFT_DOCUMENTS),
    "POST /api/v1/documents/{document_id}/issue": action(ISSUE_DOCUMENTS),
    "POST /api/v1/documents/render": action(DRAFT_DOCUMENTS),
    "GET /api/v1/documents/tasks/{task_id}": read(NOBODY, note="only its requester"),
    "GET /api/v1/documents/tasks/{task_id}/download": read(NOBODY, note="only its requester"),
}
