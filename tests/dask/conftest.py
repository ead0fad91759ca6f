"""Dask fixtures: a real two-process LocalCluster, started and closed by the tests.

Tasks on the cluster are pickled and shipped to worker processes, as on any cluster;
property tests use the synchronous scheduler instead (same graph, one thread).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="session")
def cluster() -> Iterator[distributed.LocalCluster]:
    """Two worker processes of one thread each, no dashboard, closed at the end."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        memory_limit="2GiB",
    ) as local:
        yield local


@pytest.fixture
def client(cluster: distributed.LocalCluster) -> Iterator[distributed.Client]:
    """A client of the session's cluster, the default scheduler while a test runs."""
    with distributed.Client(cluster, set_as_default=True) as connected:
        yield connected


@pytest.fixture
def synchronous() -> Iterator[None]:
    """Dask's synchronous scheduler while a test runs (no client, one thread)."""
    with dask.config.set(scheduler="synchronous"):
        yield
