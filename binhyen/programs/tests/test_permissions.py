"""Who may do what in the programmes app (permissions.py): deny by default."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from binhyen.programs import permissions as prog_perms
from binhyen.programs import services
from binhyen.programs.tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_national_programme_is_managed_by_the_ministry_only(s, world):
    # given the national programme; then its ministry admin manages it, no local officer does
    program = world["program"]
    assert prog_perms.can_manage(world["admin"], program)
    for user in (s.province_officer, s.commune_officer, s.far_officer, AnonymousUser()):
        assert not prog_perms.can_manage(user, program)


def test_a_unit_assesses_itself_only(s, world):
    # then the commune officer self-assesses its commune, not the sibling nor a far commune
    assert prog_perms.can_self_assess(s.commune_officer, s.commune)
    assert not prog_perms.can_self_assess(s.commune_officer, s.sibling_commune)
    assert not prog_perms.can_self_assess(s.far_officer, s.commune)
    assert not prog_perms.can_self_assess(AnonymousUser(), s.commune)


def test_verification_and_decision_belong_to_the_level_above(s, world):
    # given the sibling commune's file, submitted
    pending = world["pending"]
    f.evidence_ready(world["sibling_officer"], pending)
    services.enrollment_submit(actor=world["sibling_officer"], enrollment=pending)
    # then the province verifies and decides it; the communes and the far province do not
    assert prog_perms.can_verify(s.province_officer, pending)
    assert prog_perms.can_decide(s.province_officer, pending)
    for user in (s.commune_officer, world["sibling_officer"], s.far_officer, AnonymousUser()):
        assert not prog_perms.can_verify(user, pending)
        assert not prog_perms.can_decide(user, pending)


def test_an_anonymous_user_may_do_nothing(s, world):
    # given nobody signed in; then every "anywhere" permission is refused
    anonymous = AnonymousUser()
    assert not prog_perms.can_manage_anywhere(anonymous)
    assert not prog_perms.can_verify_anywhere(anonymous)
    assert not prog_perms.can_decide_anywhere(anonymous)
    assert not prog_perms.can_enrol(anonymous, world["program"], s.commune)
