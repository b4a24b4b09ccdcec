"""The built-in sets shipped by migrations: the model-commune set (QĐ 9745) end to end, the
official wording of TT 124 Điều 4, and a data migration that is idempotent, never overwrites
an administrator's edits, and reverses cleanly."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as global_apps
from django.conf import settings
from django.urls import reverse

from binhyen.indicators.models import Metric
from binhyen.indicators.periods import PeriodKind
from binhyen.indicators.tests.factories import put
from binhyen.programs import evaluation, rules, services
from binhyen.programs.models import Criterion, EnrollmentStatus, Program
from binhyen.programs.tests import factories as f

pytestmark = pytest.mark.django_db

shipped = importlib.import_module("binhyen.programs.migrations.0004_model_commune_set")

# The period of each kind used to store one figure of 2025 (and of 2024 for ``prev``).
PERIODS: dict[str, str] = {
    PeriodKind.YEAR: "{y}",
    PeriodKind.HALF: "{y}S1",
    PeriodKind.QUARTER: "{y}Q2",
    PeriodKind.MONTH: "{y}M06",
    PeriodKind.STAT_MONTH: "SM{y}M06",
    PeriodKind.MOVEMENT_YEAR: "MY{y}",
    PeriodKind.TEAM_YEAR: "TY{y}",
}
# A commune of 10 villages that meets every rule of the shipped set.
GOOD_FIGURES = {
    "villages": (10, None),
    "villages_enrolled_safe": (10, None),
    "villages_recognised_safe": (8, None),
    "villages_pledged": (10, None),
    "schemes_active": (3, None),
    "scheme_sites": (12, None),
    "outreach_villages": (10, None),
    "tips_valuable": (4, None),
    "serious_crimes": (0, None),
    "crimes": (6, 9),
    "traffic_accidents": (2, 3),
    "fires": (0, 1),
    "tips_concluded": (20, None),
    "tips_on_time": (20, None),
    "security_teams": (10, None),
}


def model_program() -> Program:
    return Program.objects.select_related("current_set").get(code=shipped.MODEL_CODE)


def store(unit, code: str, value: float, year: int) -> None:
    metric = Metric.objects.get(code=code)
    put(metric, unit, PERIODS[metric.period_kind].format(y=year), value)


def store_figures(unit, **overrides: tuple[float, float | None]) -> None:
    for code, (now, before) in {**GOOD_FIGURES, **overrides}.items():
        store(unit, code, now, 2025)
        if before is not None:
            store(unit, code, before, 2024)


def run_forward() -> None:
    shipped.forward(global_apps, None)


def run_backward() -> None:
    shipped.backward(global_apps, None)


# --- what is shipped --------------------------------------------------------------------------


def test_the_model_commune_set_is_published_with_34_criteria_in_four_groups():
    program = model_program()
    criteria_set = program.current_set
    assert criteria_set is not None and criteria_set.published_at is not None
    criteria = list(criteria_set.criteria.all())
    assert [c.code for c in criteria] == [str(n) for n in range(1, 35)]
    assert criteria_set.groups == shipped.MODEL_GROUPS
    assert {c.group for c in criteria} == set(shipped.MODEL_GROUPS)
    # every criterion names its source and says it is provisional
    assert all(c.guidance.startswith("Tạm thời") for c in criteria)
    # only the two criteria read in the public summary are not waiting for the province
    assert [c.code for c in criteria if not c.needs_completion] == ["1", "2"]
    assert "9745/QĐ-BCA-V05" in program.description and "tạm thời" in program.description


def test_every_shipped_rule_passes_the_check_against_the_catalogue():
    active = set(Metric.objects.filter(is_active=True).values_list("code", flat=True))
    criteria = Criterion.objects.filter(criteria_set__program__code=shipped.MODEL_CODE, kind="rule")
    assert criteria.count() == 13
    for criterion in criteria:
        rules.check(criterion.expression, metric_codes=active)
        assert set(criterion.metric_codes) <= active


def test_the_village_set_takes_the_official_wording_of_article_4():
    criteria = {
        c.code: c for c in Program.objects.get(code=shipped.VILLAGE_CODE).current_set.criteria.all()
    }
    assert criteria["1a"].title.startswith("Quý I hằng năm, chi bộ có nghị quyết")
    assert "Nguyên văn Thông tư 124/2021/TT-BCA, Điều 4 khoản 1" in criteria["1b"].guidance
    assert criteria["2"].title.startswith("Triển khai, thực hiện đầy đủ")
    assert [c for c, v in criteria.items() if v.needs_completion] == ["4", "5"]


# --- the acceptance: enrolled, self-assessed, verified and decided ----------------------------


def test_a_commune_is_enrolled_assessed_verified_and_recognised_with_the_shipped_set(s):
    # given the shipped model-commune programme and a commune whose figures meet every rule
    program = model_program()
    store_figures(s.commune)
    # when the commune enrols for 2025 and assesses itself
    enrollment = services.enrollment_create(
        actor=s.commune_officer, program=program, unit=s.commune, period_code="2025"
    )
    assert enrollment.criteria_set == program.current_set
    live = evaluation.progress(enrollment)
    assert (live.met_count, live.total) == (13, 34)
    f.evidence_ready(s.commune_officer, enrollment)
    services.enrollment_submit(actor=s.commune_officer, enrollment=enrollment)
    # and the province verifies every criterion and recognises it
    f.verify_all(s.province_officer, enrollment)
    services.decision_record(
        actor=s.province_officer,
        program=program,
        period_code="2025",
        enrollments=[enrollment],
        recognised={enrollment.pk},
        data=f.decision_input(),
    )
    # then the file is recognised as having met 34 of 34 criteria
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.RECOGNISED
    assert (enrollment.met_count, enrollment.criteria_count) == (34, 34)
    assert enrollment.condition_met is True


def test_a_commune_whose_crimes_rose_sees_the_rule_fail_with_its_figures(s):
    # given the shipped set and a commune whose crimes went up from 5 to 7
    store_figures(s.commune, crimes=(7, 5))
    enrollment = services.enrollment_create(
        actor=s.commune_officer, program=model_program(), unit=s.commune, period_code="2025"
    )
    # when it looks at its progress
    progress = evaluation.progress(enrollment)
    # then criterion 21 is the one rule not met, and it shows 7 now against 5 before
    failed = [r for r in progress.mandatory_failed if r.criterion.kind == "rule"]
    assert [r.criterion.code for r in failed] == ["21"]
    [figure] = failed[0].figures
    assert (figure.code, figure.current, figure.previous) == ("crimes", 7.0, 5.0)


# --- the data migration: idempotent, respects edits, reversible -------------------------------


def test_running_the_migration_again_changes_nothing():
    # given the state after migrating
    program = model_program()
    before = list(program.current_set.criteria.values_list("pk", "code", "title"))
    # when the migration runs once more
    run_forward()
    # then the same rows stay, no duplicate is made
    program.refresh_from_db()
    assert list(program.current_set.criteria.values_list("pk", "code", "title")) == before


def test_reversing_restores_the_skeleton_and_forward_fills_it_again():
    # when the migration is reversed
    run_backward()
    # then the programme is back to 0002's draft skeleton, with nothing to enrol on
    program = model_program()
    assert program.current_set is None
    draft = program.sets.get(version=1)
    assert draft.groups == shipped.SKELETON_GROUPS and not draft.criteria.exists()
    assert program.description == shipped.SKELETON_DESCRIPTION
    village = Program.objects.get(code=shipped.VILLAGE_CODE).current_set
    assert village.criteria.get(code="1a").title == shipped.VILLAGE_WORDING[0][1]
    # and running it forward again ships the set once more
    run_forward()
    assert model_program().current_set.criteria.count() == 34


def test_a_skeleton_edited_by_an_administrator_is_left_alone(s):
    # given the skeleton state, then an administrator who imported their own list into it
    run_backward()
    admin = f.ministry_admin()
    draft = model_program().sets.get(version=1)
    services.criteria_set_replace(
        actor=admin,
        criteria_set=draft,
        settings=services.SetInput(groups=["A. Nhóm của tỉnh"]),
        criteria=[
            services.CriterionInput(code="A1", title="Tiêu chí riêng", group="A. Nhóm của tỉnh")
        ],
    )
    # when the migration runs
    run_forward()
    # then their list is untouched and nothing was published in their name
    program = model_program()
    assert program.current_set is None
    assert list(draft.criteria.values_list("code", flat=True)) == ["A1"]


def test_a_reworded_village_criterion_is_not_overwritten():
    # given the official wording was reverted, then a province reworded criterion 2 itself
    run_backward()
    village = Program.objects.get(code=shipped.VILLAGE_CODE).current_set
    village.criteria.filter(code="2").update(title="Nội dung tỉnh đã sửa")
    # when the migration runs
    run_forward()
    # then criterion 2 keeps the province's text while 1a takes the official wording
    assert village.criteria.get(code="2").title == "Nội dung tỉnh đã sửa"
    assert village.criteria.get(code="1a").title == shipped.VILLAGE_WORDING[0][3]


def test_reversing_leaves_a_set_in_use_alone(s):
    # given a commune enrolled on the shipped set
    services.enrollment_create(
        actor=s.commune_officer, program=model_program(), unit=s.commune, period_code="2025"
    )
    # when the migration is reversed
    run_backward()
    # then the set stays published with its 34 criteria
    assert model_program().current_set.criteria.count() == 34


# --- English titles of the built-in criteria ---------------------------------------------------

english = importlib.import_module("binhyen.programs.migrations.0006_criterion_english_title")


def test_every_built_in_criterion_has_an_english_title():
    criteria = Criterion.objects.filter(
        criteria_set__program__code__in=[
            shipped.MODEL_CODE,
            shipped.VILLAGE_CODE,
            "an-toan-antt-xa",
        ]
    )
    assert criteria.count() == 34 + 6 + 7
    assert list(criteria.filter(title_en="").values_list("code", flat=True)) == []
    model = Criterion.objects.get(criteria_set__program__code=shipped.MODEL_CODE, code="21")
    assert model.title_en.startswith("Crimes against social order are contained")


def test_english_pages_show_the_english_title_and_vietnamese_pages_the_official_one(client, s):
    # given a commune officer looking at the model-commune programme
    client.force_login(s.commune_officer)
    url = reverse("programs:detail", args=[shipped.MODEL_CODE])
    # when the page is in Vietnamese, then the official wording is shown
    vietnamese = client.get(url).content.decode()
    assert "Tội phạm về trật tự xã hội được kiềm chế" in vietnamese
    # when it is in English, then the English title is shown instead
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(url).content.decode()
    assert "Crimes against social order are contained" in page
    assert "Tội phạm về trật tự xã hội được kiềm chế" not in page


def test_a_reworded_criterion_keeps_no_stale_english_title_and_reversing_empties_them():
    # given a province reworded criterion 21 (its Vietnamese title is no longer the shipped one)
    run_english_backward()
    criterion = Criterion.objects.get(criteria_set__program__code=shipped.MODEL_CODE, code="21")
    Criterion.objects.filter(pk=criterion.pk).update(title="Nội dung tỉnh đã sửa")
    # when the migration runs
    english.forward(global_apps, None)
    # then the reworded criterion gets no English title, the others do
    criterion.refresh_from_db()
    assert criterion.title_en == ""
    assert not Criterion.objects.filter(
        criteria_set__program__code=shipped.MODEL_CODE, title_en=""
    ).exclude(pk=criterion.pk)


def run_english_backward() -> None:
    english.backward(global_apps, None)
    assert not Criterion.objects.exclude(title_en="").exists()
