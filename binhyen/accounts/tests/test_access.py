"""The template filters over the access model: the menu shows only what the user may open."""

from __future__ import annotations

import pytest
from django.urls import reverse

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import login_verified, scene, user_with_role

pytestmark = pytest.mark.django_db


def test_the_tips_menu_is_shown_only_to_who_triages_tips(client):
    # given a ministry officer (no tips to triage) and a commune officer
    s = scene()
    from binhyen.orgunits.tests.factories import country

    ministry = user_with_role(Role.MINISTRY_OFFICER, country(), username="bo")
    inbox = reverse("tips:inbox")
    # when each opens the home page
    login_verified(client, ministry)
    ministry_home = client.get(reverse("home")).content.decode()
    client.force_login(s.commune_officer)
    officer_home = client.get(reverse("home")).content.decode()
    # then only the commune officer is offered the inbox, which answers 404 to the other
    assert inbox not in ministry_home
    assert inbox in officer_home
    login_verified(client, ministry)
    assert client.get(inbox).status_code == 404
