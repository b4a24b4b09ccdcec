"""Factories for units; they build a small tree without the full national import."""

from __future__ import annotations

from typing import Any

import factory

from binhyen.core.text import fold
from binhyen.orgunits.models import ROOT_CODE, OrgUnit, Subkind, UnitKind


def _path(unit: OrgUnit) -> None:
    unit.path, unit.level = unit.compute_path()
    unit.name_folded = fold(unit.name)


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"X{n:05d}")
    name = factory.Sequence(lambda n: f"Đơn vị {n}")
    kind = UnitKind.COMMUNE
    subkind = Subkind.XA
    parent: Any = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        unit = model_class(*args, **kwargs)
        _path(unit)
        unit.save()
        return unit


def country() -> OrgUnit:
    existing = OrgUnit.objects.filter(code=ROOT_CODE).first()
    if existing:
        return existing
    return OrgUnitFactory(  # type: ignore[return-value]
        code=ROOT_CODE, name="Việt Nam", kind=UnitKind.COUNTRY, subkind=Subkind.COUNTRY
    )


class ProvinceFactory(OrgUnitFactory):
    code = factory.Sequence(lambda n: f"{90 + n % 10}{n}")
    name = factory.Sequence(lambda n: f"Tỉnh Thử {n}")
    kind = UnitKind.PROVINCE
    subkind = Subkind.TINH
    parent = factory.LazyFunction(country)


class CommuneFactory(OrgUnitFactory):
    code = factory.Sequence(lambda n: f"9{n:04d}")
    name = factory.Sequence(lambda n: f"Xã Thử {n}")
    kind = UnitKind.COMMUNE
    subkind = Subkind.XA
    parent = factory.SubFactory(ProvinceFactory)
    population = 10000
    households = 2500


class VillageFactory(OrgUnitFactory):
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}-T{n:03d}")
    name = factory.Sequence(lambda n: f"Thôn {n}")
    kind = UnitKind.VILLAGE
    subkind = Subkind.THON
    parent = factory.SubFactory(CommuneFactory)


class EstablishmentFactory(OrgUnitFactory):
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}-E{n:03d}")
    name = factory.Sequence(lambda n: f"Trường Thử {n}")
    kind = UnitKind.ESTABLISHMENT
    subkind = Subkind.CO_SO_GIAO_DUC
    parent = factory.SubFactory(CommuneFactory)
