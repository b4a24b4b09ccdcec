"""Model rules of the catalogue: what a distinct metric may be."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from binhyen.indicators.models import Metric

pytestmark = pytest.mark.django_db


def _metric(**kw) -> Metric:
    fields = {
        "code": "t_distinct",
        "name": "Thử",
        "capture_kinds": ["commune"],
        "counting": "distinct",
        "source": "provider",
        "provider_key": "x.y",
        "aggregation": "last",
    }
    fields.update(kw)
    return Metric(**fields)


def test_a_distinct_metric_is_a_providers_integer_summed_or_last():
    # given distinct metrics of each shape / when validated / then only the allowed ones pass
    _metric().full_clean()
    _metric(aggregation="sum").full_clean()
    for bad in (
        {"source": "form", "provider_key": ""},
        {"aggregation": "average"},
        {"value_type": "decimal"},
    ):
        with pytest.raises(ValidationError) as info:
            _metric(**bad).full_clean()
        assert "counting" in info.value.message_dict
    # and a quantity keeps every combination it had
    _metric(counting="quantity", source="form", provider_key="", aggregation="average").full_clean()
