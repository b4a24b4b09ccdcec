"""Report forms owned by a domain app: only narrowing, never widening, the workflow."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.indicators import selectors, services
from binhyen.indicators.owners import FormOwnerRegistry, form_owners
from binhyen.indicators.tests.factories import MetricFactory
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory

pytestmark = pytest.mark.django_db


class FakeOwner:
    prefix = "fake_"

    def __init__(self, allowed_ids: set[int], creator: object) -> None:
        self.allowed_ids = allowed_ids
        self.creator = creator

    def may_create(self, actor, code):
        return actor == self.creator

    def refusal(self, form, unit, period):
        if period.code != "2026W02":
            return ("period", "chỉ tuần 2")
        return None

    def expected_unit_ids(self, form):
        return self.allowed_ids


@pytest.fixture
def owned():
    province = ProvinceFactory()
    inside, outside = CommuneFactory(parent=province), CommuneFactory(parent=province)
    creator = user_with_role(Role.PROVINCE_OFFICER, province)
    owner = FakeOwner({inside.pk}, creator)
    form_owners.register(owner)
    metric = MetricFactory(period_kind="week", capture_kinds=["commune"])
    yield province, inside, outside, creator, metric
    form_owners.unregister("fake_")


def test_registry_refuses_a_second_owner_of_another_kind():
    registry = FormOwnerRegistry()
    registry.register(FakeOwner(set(), None))
    registry.register(FakeOwner(set(), None))  # the same kind again: fine (reloads)

    class Other(FakeOwner):
        pass

    with pytest.raises(ValueError):
        registry.register(Other(set(), None))
    assert registry.owner_of("fake_1") is not None and registry.owner_of("other") is None


def test_owner_decides_who_creates_and_narrows_periods_units_and_completeness(owned):
    province, inside, outside, creator, metric = owned
    stranger = user_with_role(Role.PROVINCE_OFFICER, ProvinceFactory())
    kwargs = {
        "code": "fake_1",
        "name": "Báo cáo đợt",
        "period_kind": "week",
        "submitting_kinds": ["commune"],
        "metrics": [metric],
    }
    with pytest.raises(PermissionDenied):
        services.owned_report_form_create(actor=stranger, **kwargs)
    with pytest.raises(PermissionDenied):
        services.owned_report_form_create(actor=creator, **{**kwargs, "code": "nobody_1"})
    form = services.owned_report_form_create(actor=creator, **kwargs)
    chief = user_with_role(Role.COMMUNE_CHIEF, inside)
    with pytest.raises(ValidationError) as exc:
        services.submission_open(actor=chief, form=form, unit=inside, period_code="2026W03")
    assert exc.value.message_dict == {"period": ["chỉ tuần 2"]}
    services.submission_open(actor=chief, form=form, unit=inside, period_code="2026W02")
    assert form in selectors.forms_for_unit(inside)
    assert form not in selectors.forms_for_unit(outside)
    from binhyen.indicators.periods import parse_period

    done = selectors.completeness(
        user=creator, form=form, unit=province, period=parse_period("2026W02")
    )
    assert done.total.expected == 1


def test_unowned_forms_are_unchanged(owned):
    _province, _inside, outside, _creator, _metric = owned
    from binhyen.indicators.tests.factories import form_with

    form = form_with([MetricFactory()], code="thuong_le")
    assert form in selectors.forms_for_unit(outside)
