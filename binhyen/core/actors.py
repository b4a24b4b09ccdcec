"""The type of the ``actor`` every service takes: the project's user model.

Invariant: ``Actor`` names ``settings.AUTH_USER_MODEL`` (``binhyen.accounts.models.User``) for
the type checker, in every app including ``core`` itself, without ``core`` importing
``accounts`` at run time (django-stubs resolves ``django.contrib.auth.models._User`` to the
configured model). At run time the name is only used in annotations.

Signature and example::

    from binhyen.core.actors import Actor

    @transaction.atomic
    def scheme_close(*, actor: Actor, scheme: Scheme, on: date) -> Scheme: ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import _User

    Actor: TypeAlias = _User
else:
    Actor: TypeAlias = Any

__all__ = ["Actor"]
