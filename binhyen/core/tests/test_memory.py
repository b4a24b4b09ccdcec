"""Pausing the garbage collector around bulk builds (``core.memory``)."""

import gc

import pytest

from binhyen.core.memory import gc_paused


@pytest.fixture
def collector():
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_paused_in_the_block_and_resumed_after(collector):
    # Given a running collector
    gc.enable()
    # When a block runs paused
    with gc_paused():
        inside = gc.isenabled()
    # Then it was off inside and is on again after
    assert inside is False
    assert gc.isenabled() is True


def test_the_collector_is_resumed_when_the_block_raises(collector):
    # Given a running collector
    gc.enable()
    # When the paused block fails
    with pytest.raises(ValueError), gc_paused():
        raise ValueError
    # Then the collector runs again
    assert gc.isenabled() is True


def test_a_collector_paused_by_someone_else_stays_paused(collector):
    # Given a collector someone else has paused
    gc.disable()
    # When a block runs paused
    with gc_paused():
        pass
    # Then it is not turned back on
    assert gc.isenabled() is False


def test_startup_objects_are_frozen_out_of_the_collectors_reach():
    # Given a started application
    from binhyen.core.memory import freeze_startup_objects

    try:
        # When the WSGI entry point freezes what start-up built
        freeze_startup_objects()
        # Then those objects are in the permanent generation, which collections skip
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
