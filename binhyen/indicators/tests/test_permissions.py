"""Who may enter, review and manage: the parent level reviews, nobody reviews their own unit."""

from __future__ import annotations

import pytest

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.indicators import permissions
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country

pytestmark = pytest.mark.django_db


def test_roles():
    root = country()
    province = ProvinceFactory()
    commune = CommuneFactory(parent=province)
    officer = user_with_role(Role.COMMUNE_OFFICER, commune)
    chief = user_with_role(Role.COMMUNE_CHIEF, commune)
    reviewer = user_with_role(Role.PROVINCE_OFFICER, province)
    minister = user_with_role(Role.MINISTRY_OFFICER, root)
    admin = user_with_role(Role.SYSTEM_ADMIN, root)
    assert permissions.can_enter_data(officer, commune) and permissions.can_enter_data(
        chief, commune
    )
    assert not permissions.can_enter_data(reviewer, commune)
    assert permissions.can_review(reviewer, commune) and not permissions.can_review(
        reviewer, province
    )
    assert permissions.can_review(minister, province)
    assert not permissions.can_review(officer, commune) and not permissions.can_review(
        chief, commune
    )
    assert permissions.can_manage_metrics(admin) and not permissions.can_manage_metrics(minister)
