import pytest

from binhyen.accounts.tests.factories import scene as make_scene


@pytest.fixture
def scene(db):
    return make_scene()
