"""The primary/replica router: analytics reads to the replica, everything else (and every
read after a write) to the primary. The replica alias mirrors the primary's test database,
so both engines can run these tests; on PostgreSQL they prove the routing of real queries."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext, override_settings

from binhyen.core import db_router
from binhyen.core.db_router import REPLICA, PrimaryReplicaRouter, analytics_reads, read_alias
from binhyen.indicators import engine
from binhyen.indicators.periods import parse_period
from binhyen.indicators.tests.factories import MetricFactory, put
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country


@pytest.fixture
def replica() -> Iterator[str]:
    """Configure a ``replica`` alias reading the primary's (test) database, as
    ``TEST: {"MIRROR": "default"}`` does for a configured replica. The connection is made
    here (the test database exists already), so Django's test isolation allows it."""
    settings_dict = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
    settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "MIRROR": DEFAULT_DB_ALIAS}
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, REPLICA)
    connections[REPLICA] = wrapper
    databases = {**django_settings.DATABASES, REPLICA: settings_dict}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Overriding setting DATABASES ...": intended here
        override = override_settings(DATABASES=databases)
        override.enable()
    db_router.reset_context()
    try:
        yield REPLICA
    finally:
        wrapper.close()
        del connections[REPLICA]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            override.disable()
        db_router.reset_context()


@pytest.fixture
def clean_context() -> Iterator[None]:
    db_router.reset_context()
    yield
    db_router.reset_context()


# --- Routing decisions (no database needed) -------------------------------------------------


def test_without_a_replica_everything_reads_the_primary(clean_context):
    # Given no replica configured
    assert not db_router.replica_configured()
    # When analytics read / Then the primary answers
    with analytics_reads():
        assert read_alias() == DEFAULT_DB_ALIAS
    assert PrimaryReplicaRouter().db_for_read(None) == DEFAULT_DB_ALIAS


def test_only_analytics_reads_go_to_the_replica(replica):
    router = PrimaryReplicaRouter()
    # Given a replica; when an ordinary read is routed / then the primary serves it
    assert router.db_for_read(None) == DEFAULT_DB_ALIAS
    # When the read is inside an analytics block / then the replica serves it
    with analytics_reads():
        assert router.db_for_read(None) == REPLICA
        assert db_router.read_connection().alias == REPLICA
    # And after the block the primary again
    assert router.db_for_read(None) == DEFAULT_DB_ALIAS


def test_after_a_write_every_read_goes_to_the_primary_until_the_next_request(replica):
    router = PrimaryReplicaRouter()
    # Given a request that writes (the ORM asks the router for the write alias)
    db_router.request_started()
    assert router.db_for_write(None) == DEFAULT_DB_ALIAS
    # When it then reads analytics / Then the primary serves them (read-your-writes)
    with analytics_reads():
        assert read_alias() == DEFAULT_DB_ALIAS
    # When the request ends and the next one starts / Then the replica serves analytics again
    db_router.request_finished()
    db_router.request_started()
    with analytics_reads():
        assert read_alias() == REPLICA
    db_router.request_finished()


def test_a_task_run_inside_a_request_keeps_the_requests_writes(replica):
    # Given a request that wrote and runs a task in-process (immediate backend)
    db_router.request_started()
    db_router.note_write()
    # When the task starts / Then the request's write still pins reads to the primary
    db_router.task_boundary()
    with analytics_reads():
        assert read_alias() == DEFAULT_DB_ALIAS
    db_router.request_finished()
    # Given a worker (outside any request) whose previous task wrote
    db_router.note_write()
    # When the next task starts / Then it starts clean
    db_router.task_boundary()
    with analytics_reads():
        assert read_alias() == REPLICA


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ("SELECT 1", False),
        ('  SELECT "x" FROM t', False),
        ("WITH RECURSIVE a AS (SELECT 1) SELECT * FROM a", False),
        ("SET LOCAL jit = off", False),
        ("SAVEPOINT s1", False),
        ('SELECT "x" FROM t WHERE id = 1 FOR UPDATE', True),
        ('INSERT INTO "t" ("a") VALUES (1)', True),
        ('UPDATE "t" SET a = 1', True),
        ('DELETE FROM "t"', True),
        ("WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved", True),
        ("TRUNCATE t", True),
        ("", False),
    ],
)
def test_statements_that_write_are_recognised(sql, writes):
    # Given a statement / When classified / Then reads and writes are told apart
    assert db_router.statement_writes(sql) is writes


def test_migrations_never_run_on_the_replica():
    router = PrimaryReplicaRouter()
    # Given the two aliases / When asked where app tables migrate / Then only the primary
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "tips") is True
    assert router.allow_migrate(REPLICA, "tips") is False


# --- Real queries on both aliases -------------------------------------------------------------


@pytest.fixture
def figures():
    """A province with two communes, a monthly count stored for the first."""
    country()
    province = ProvinceFactory(code="93", name="Tỉnh Thử")
    commune = CommuneFactory(code="93001", name="Xã Thử", parent=province)
    metric = MetricFactory(code="t_router_crimes")
    put(metric, commune, "2025M03", 4)
    neighbour = CommuneFactory(code="93002", name="Xã Bên", parent=province)
    return metric, province, neighbour


def _run(metric, unit):
    rows = engine.run(metrics=[metric], units=[unit], periods=[parse_period("2025M03")])
    return rows[0].value


@pytest.mark.django_db(transaction=True)
def test_engine_reads_the_replica_and_reads_after_a_write_the_primary(replica, figures):
    metric, province, commune = figures
    primary, mirror = connections[DEFAULT_DB_ALIAS], connections[REPLICA]
    # Given a fresh request that has not written
    db_router.request_started()
    # When the dashboard's engine runs
    with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(mirror) as on_replica:
        value = _run(metric, province)
    # Then every engine query went to the replica, none to the primary
    assert value == 4
    assert len(on_replica.captured_queries) > 0
    assert on_primary.captured_queries == []
    db_router.request_finished()

    # Given a request that writes a value (through the ORM, as services do)
    db_router.request_started()
    put(metric, commune, "2025M03", 6)
    # When it reads the figures in the same request
    with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(mirror) as on_replica:
        value = _run(metric, province)
    # Then the primary answered, with the value just written
    assert value == 10
    assert on_replica.captured_queries == []
    assert len(on_primary.captured_queries) > 0
    db_router.request_finished()


@pytest.mark.django_db(transaction=True)
def test_raw_sql_writes_and_transactions_pin_reads_to_the_primary(replica, figures):
    metric, province, _commune = figures
    mirror = connections[REPLICA]
    # Given a fresh request; when it writes with raw SQL on the primary
    db_router.request_started()
    db_router.install_write_tracking(None, connections[DEFAULT_DB_ALIAS])
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("UPDATE indicators_metric SET name = name WHERE id = %s", [metric.pk])
    # Then later analytics read the primary
    with CaptureQueriesContext(mirror) as on_replica:
        _run(metric, province)
    assert on_replica.captured_queries == []
    db_router.request_finished()

    # Given a fresh request; when the engine runs inside a transaction on the primary
    db_router.request_started()
    with transaction.atomic(), CaptureQueriesContext(mirror) as on_replica:
        value = _run(metric, province)
    # Then the transaction's own connection answered
    assert value == 4
    assert on_replica.captured_queries == []
    db_router.request_finished()


@pytest.mark.django_db(transaction=True)
def test_a_request_through_the_client_resets_the_flag(replica, figures, client):
    metric, province, _commune = figures
    # Given an earlier write noted in this thread
    db_router.note_write()
    # When a new request is served
    client.get("/healthz")
    # Then the flag was reset by the request boundary and analytics read the replica again
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        _run(metric, province)
    assert len(on_replica.captured_queries) > 0


@pytest.mark.django_db(transaction=True)
def test_an_export_reads_the_replica(replica, figures):
    from binhyen.orgunits import excel
    from binhyen.orgunits.models import OrgUnit

    _metric, province, _commune = figures
    # Given a fresh request exporting the province's communes (the list is evaluated lazily)
    db_router.request_started()
    rows = OrgUnit.objects.filter(parent=province).order_by("code").iterator()
    # When the workbook is built
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
    ):
        content = excel.export_workbook(rows, province.name)
    # Then the rows were read from the replica
    assert content[:2] == b"PK"
    assert len(on_replica.captured_queries) > 0
    assert on_primary.captured_queries == []
    db_router.request_finished()
