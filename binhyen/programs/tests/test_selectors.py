"""Reads of the programmes app: every selector starts from the user's scope, and a record
outside it is the same 404 as a missing one."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from binhyen.programs import selectors
from binhyen.programs.tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_file_is_read_by_its_unit_and_the_levels_above_only(s, world):
    # given the commune's decided file
    done = world["done"]
    # when its own officer and the province officer read it; then they get it
    assert selectors.enrollment_get(user=s.commune_officer, pk=done.pk) == done
    assert selectors.enrollment_get(user=s.province_officer, pk=done.pk) == done
    # when an officer of another province, or of the sibling commune, reads it; then 404
    for outsider in (s.far_officer, world["sibling_officer"]):
        with pytest.raises(Http404):
            selectors.enrollment_get(user=outsider, pk=done.pk)


def test_a_missing_file_is_the_same_404(s, world):
    # when a file that does not exist is read; then 404 as for a forbidden one
    with pytest.raises(Http404):
        selectors.enrollment_get(user=s.province_officer, pk=world["done"].pk + 10_000)


def test_the_visible_files_follow_the_scope(s, world):
    # given two files of the first province
    both = {world["done"].pk, world["pending"].pk}
    # then the province officer sees both, the commune officer its own, the far officer none
    assert (
        set(selectors.enrollments_visible(s.province_officer).values_list("pk", flat=True)) >= both
    )
    assert set(selectors.enrollments_visible(s.commune_officer).values_list("pk", flat=True)) == {
        world["done"].pk
    }
    assert not selectors.enrollments_visible(s.far_officer).filter(pk__in=both).exists()


def test_a_province_programme_is_read_in_that_province_only(s, world):
    # given a programme owned by the first province
    f.program(s.province_officer, owner=s.province, code="rieng-tinh")
    # then its communes read it and another province gets 404
    assert selectors.program_get(user=s.commune_officer, code="rieng-tinh").code == "rieng-tinh"
    with pytest.raises(Http404):
        selectors.program_get(user=s.far_officer, code="rieng-tinh")
    assert "rieng-tinh" not in set(
        selectors.program_list(user=s.far_officer).values_list("code", flat=True)
    )


def test_decisions_and_evidence_are_read_within_scope_only(s, world):
    # given the decision on the commune's file and one of its evidence files
    decision, evidence = world["decision"], world["evidence"]
    # then the commune reads both, the far province gets 404 for both
    assert selectors.decision_get(user=s.commune_officer, pk=decision.pk) == decision
    assert selectors.evidence_get(user=s.commune_officer, pk=evidence.pk) == evidence
    with pytest.raises(Http404):
        selectors.decision_get(user=s.far_officer, pk=decision.pk)
    with pytest.raises(Http404):
        selectors.evidence_get(user=s.far_officer, pk=evidence.pk)


def test_only_the_verifying_level_has_a_verification_queue(s, world):
    # given the sibling commune's file, submitted
    pending = world["pending"]
    f.evidence_ready(world["sibling_officer"], pending)
    from binhyen.programs import services

    services.enrollment_submit(actor=world["sibling_officer"], enrollment=pending)
    program = world["program"]
    # then it waits in the province's queue, and in nobody else's
    assert pending in selectors.verification_queue(
        user=s.province_officer, program=program, period="2025"
    )
    for user in (s.commune_officer, s.far_officer):
        assert pending not in selectors.verification_queue(
            user=user, program=program, period="2025"
        )


def test_units_to_enrol_are_within_scope(s, world):
    # when the far officer lists the units it may enrol; then none of the first province
    units = selectors.enrollable_units(user=s.far_officer, program=world["program"])
    assert not units.filter(path__startswith=s.province.path).exists()


def test_an_anonymous_user_sees_nothing(world):
    # given nobody signed in; then no file is visible and reading one is 404
    anonymous = AnonymousUser()
    assert not selectors.enrollments_visible(anonymous).exists()
    with pytest.raises(Http404):
        selectors.enrollment_get(user=anonymous, pk=world["done"].pk)
