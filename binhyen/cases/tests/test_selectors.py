from datetime import timedelta

import pytest

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.cases import selectors, services
from binhyen.cases.tests.factories import open_case

pytestmark = pytest.mark.django_db


def test_search_with_and_without_diacritics_and_by_reference(scene):
    case = open_case(scene.commune_chief, scene.commune, full_name="Nguyễn Văn Bình")
    chief = scene.commune_chief
    assert list(selectors.case_list(user=chief, q="nguyen van binh")) == [case]
    assert list(selectors.case_list(user=chief, q="Bình")) == [case]
    assert list(selectors.case_list(user=chief, q=case.reference)) == [case]
    assert not selectors.case_list(user=chief, q="Trần").exists()


def test_the_sender_keeps_only_the_handover(scene):
    case = open_case(scene.commune_chief, scene.commune)
    handover = services.handover_request(
        actor=scene.commune_chief, case=case, to_unit=scene.sibling_commune
    )
    assert list(selectors.handovers_sent(user=scene.commune_chief)) == [handover]
    assert selectors.case_list(user=scene.commune_chief).exists()
    receiver = user_with_role(Role.COMMUNE_CHIEF, scene.sibling_commune, username="nhan")
    assert list(selectors.handovers_incoming(user=receiver)) == [handover]
    assert not selectors.case_list(user=receiver).exists()
    services.handover_accept(actor=receiver, handover=handover)
    assert not selectors.case_list(user=scene.commune_chief).exists()
    assert list(selectors.case_list(user=receiver)) == [case]
    assert list(selectors.handovers_sent(user=scene.commune_chief)) == [handover]


def test_the_next_review_follows_the_type_schedule(scene):
    case = open_case(scene.commune_chief, scene.commune)
    assert selectors.review_due_on(case) == case.opened_on + timedelta(days=30)
