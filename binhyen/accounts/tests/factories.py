"""Factories for users and role assignments."""

from __future__ import annotations

import factory

from binhyen.accounts.models import Role, RoleAssignment, User

PASSWORD = "mat-khau-thu-nghiem-2025"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.vn")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.COMMUNE_OFFICER
    orgunit = None


def user_with_role(role: str, unit, **kwargs) -> User:
    """Create a user holding ``role`` on ``unit``."""
    user = UserFactory(**kwargs)
    RoleAssignment.objects.create(user=user, role=role, orgunit=unit)
    return user
