"""Activity reads are scoped: other communes' activities do not exist for a user."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404

from binhyen.accounts.tests.factories import UserFactory
from binhyen.activities import selectors
from binhyen.activities.models import ActivityKind
from binhyen.activities.tests.factories import commune_scene, outreach, record, surrender

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged():
    s = commune_scene()
    mine = record(s.officer, outreach(s.commune, title="Họp dân thôn 1"))
    on_village = record(s.officer, surrender(s.villages[0], [("sung", 1)], date=date(2025, 1, 9)))
    theirs = record(s.other_officer, outreach(s.other_commune, title="Của xã khác"))
    return s, mine, on_village, theirs


def test_list_is_scoped(logged):
    s, mine, on_village, theirs = logged
    # Given activities of the officer's commune, one of its villages and another commune
    # Then each user lists their scope only, and a user without a role lists nothing
    assert set(selectors.activity_list(user=s.officer)) == {mine, on_village}
    assert set(selectors.activity_list(user=s.province_officer)) == {mine, on_village, theirs}
    assert list(selectors.activity_list(user=UserFactory())) == []


def test_filters(logged):
    s, mine, on_village, _theirs = logged
    user = s.province_officer
    # When the province officer filters by unit, kind, text and dates
    # Then each filter keeps only the matching activities
    assert list(selectors.activity_list(user=user, unit=s.villages[0])) == [on_village]
    assert set(selectors.activity_list(user=user, unit=s.commune)) == {mine, on_village}
    assert list(selectors.activity_list(user=user, kind=ActivityKind.WEAPONS_SURRENDER)) == [
        on_village
    ]
    assert list(selectors.activity_list(user=user, q="thôn 1")) == [mine]
    # and the text filter needs no diacritics (nor the right case)
    assert list(selectors.activity_list(user=user, q="THON 1")) == [mine]
    assert list(selectors.activity_list(user=user, date_to=date(2025, 2, 1))) == [on_village]
    assert set(selectors.activity_list(user=user, date_from=date(2025, 3, 1), unit=s.commune)) == {
        mine
    }


def test_get_hides_out_of_scope_and_missing_alike(logged):
    s, mine, _on_village, theirs = logged
    # Given one activity in the officer's commune and one outside
    # Then the outside one answers the same 404 as one that does not exist
    assert selectors.activity_get(user=s.officer, pk=mine.pk) == mine
    with pytest.raises(Http404) as outside:
        selectors.activity_get(user=s.officer, pk=theirs.pk)
    with pytest.raises(Http404) as missing:
        selectors.activity_get(user=s.officer, pk=999999)
    assert str(outside.value) == str(missing.value)


def test_recording_units(logged):
    s, *_ = logged
    # Given a commune officer, a province officer and a viewer
    # Then only the commune officer records, on the commune and its villages
    assert list(selectors.recording_communes(user=s.officer)) == [s.commune]
    assert list(selectors.recording_communes(user=s.province_officer)) == []
    assert list(selectors.recording_communes(user=s.viewer)) == []
    units = selectors.recordable_units(user=s.officer, commune=s.commune)
    assert units == [s.commune, *s.villages]


def test_list_by_current_commune_finds_activities_of_its_predecessor(logged):
    # given an activity recorded on a pre-2025 commune merged into the officer's commune
    from binhyen.activities.models import Activity
    from binhyen.orgunits.models import Lineage, LineageKind
    from binhyen.orgunits.tests.factories import CommuneFactory

    s, mine, on_village, _theirs = logged
    old = CommuneFactory(
        parent=s.province, code="L07846", name="Xã Lương Phong", valid_to=date(2025, 6, 30)
    )
    Lineage.objects.create(
        predecessor=old,
        successor=s.commune,
        kind=LineageKind.MERGE,
        effective_date=date(2025, 7, 1),
    )
    past = Activity.objects.create(
        kind=ActivityKind.OUTREACH, orgunit=old, date=date(2024, 5, 1), title="Họp dân 2024"
    )
    # when filtered by the current commune, then it shows, flagged
    rows = {a.pk: a for a in selectors.activity_list(user=s.officer, unit=s.commune)}
    assert set(rows) == {mine.pk, on_village.pk, past.pk}
    assert rows[past.pk].recorded_on_predecessor is True
    assert rows[mine.pk].recorded_on_predecessor is False
