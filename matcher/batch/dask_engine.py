"""The Dask engine: the batch runner's chunks screened on a Dask cluster instead of local processes.

``msmatch batch ... --engine dask --scheduler tcp://host:8786`` connects to a running cluster; without
``--scheduler`` a :class:`distributed.LocalCluster` of ``--workers`` single-threaded worker processes is
started (and stopped) for the run. Everything else is the runner's (:mod:`matcher.batch.runner`): it
compiles the trials once in the parent, streams the registry in chunks with a bounded number in flight,
and writes the CSV, Parquet, store and errors in registry order; resume works the same.

Shipping the work:

* the compiled rule sets (and the ids of the patients a resumed run skips) go to every worker once, inside
  a :class:`RuleSetPlugin` (a Dask worker plugin, also applied to workers that join later); its ``setup``
  runs the runner's own worker initializer, which keeps them in the worker process and loads the lexicon
  (spaCy pipeline) once per process;
* a task is one chunk of patients: the same chunk function the local process pool runs, so both engines
  give the same rows.

Workers need msmatch installed, the same version as the parent: checked when connecting and again by every
task, which fails with a clear error otherwise.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from concurrent.futures import Executor
from typing import Callable, Optional

from .. import __version__
from ..errors import MsmatchError
from ..evaluate import ENGINE_VERSION
from ..models.rules import RuleSet
from .runner import _init_worker

__all__ = ["DaskExecutor", "RuleSetPlugin", "worker_versions"]

try:
    from distributed import Client, LocalCluster, WorkerPlugin, get_worker
except ImportError:  # the optional extra is not installed: DaskExecutor says how to get it
    Client = LocalCluster = get_worker = None
    WorkerPlugin = object

# Worker side: which rule sets the runner's worker state holds, by token (see RuleSetPlugin).
_INSTALLED: Optional[str] = None
_INSTALL_LOCK = threading.Lock()


def worker_versions() -> dict:
    """What must match between the parent and every worker."""
    return {"msmatch": __version__, "engine": ENGINE_VERSION, "python": "%d.%d" % sys.version_info[:2]}


class RuleSetPlugin(WorkerPlugin):
    """Carries the compiled rule sets (and the patients a resumed run skips) to each worker once and installs
    them there."""

    def __init__(self, token: str, rulesets: list[RuleSet], skip: frozenset[str] = frozenset()):
        self.token = token
        self.rulesets = rulesets
        self.skip = skip

    def setup(self, worker=None) -> None:
        self.install()

    def install(self) -> None:
        global _INSTALLED
        _init_worker(self.rulesets, self.skip)  # the runner's initializer: rule sets + lexicon, once per process
        _INSTALLED = self.token


def _run_chunk(token: str, plugin_name: str, versions: dict, fn: Callable, *args):
    """Worker side of one task: check the version and the rule sets in place, then run the chunk."""
    if worker_versions() != versions:
        raise MsmatchError(f"a Dask worker runs {worker_versions()}, the batch {versions}",
                           hint="install the same msmatch version on every worker")
    if _INSTALLED != token:  # a worker restarted, or another batch ran on this cluster in between
        with _INSTALL_LOCK:
            if _INSTALLED != token:
                get_worker().plugins[plugin_name].install()
    result = fn(*args)
    if _INSTALLED != token:
        raise MsmatchError("another msmatch batch with other trials took over this Dask worker mid-task",
                           hint="run one batch at a time per cluster")
    return result


class DaskExecutor(Executor):
    """A :class:`concurrent.futures.Executor` over a Dask cluster, for :func:`matcher.batch.run_batch`."""

    def __init__(self, rulesets: list[RuleSet], scheduler: Optional[str] = None, workers: Optional[int] = None,
                 skip: frozenset[str] = frozenset()):
        if Client is None:
            raise MsmatchError("--engine dask needs Dask, which is not installed",
                               hint="pip install 'msmatch[dask]'")
        self._cluster = None
        if scheduler is None:
            # One single-threaded process per worker: screening is pure Python, threads would share one GIL.
            self._cluster = LocalCluster(n_workers=workers or 1, threads_per_worker=1, processes=True,
                                         dashboard_address=":0")  # any free port: 8787 may be taken
            scheduler = self._cluster.scheduler_address
        self.address = scheduler
        try:
            # connect time-out: Dask's distributed.comm.timeouts.connect (30 s unless configured)
            self._client = Client(scheduler, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            self._close_cluster()
            raise MsmatchError(f"cannot connect to the Dask scheduler: {error}", file=scheduler,
                               hint="check --scheduler (e.g. tcp://host:8786), or leave it out for a local cluster"
                               ) from None
        try:
            self.versions = worker_versions()
            self._check_workers()
            # The token names exactly what the workers hold: the rule sets, in order, and the skip list.
            digest = hashlib.sha256("\n".join([*(r.content_sha256() for r in rulesets), "--skip--",
                                               *sorted(skip)]).encode()).hexdigest()
            self.token = digest
            self.plugin_name = f"msmatch-rulesets-{digest[:16]}"
            self._client.register_plugin(RuleSetPlugin(digest, list(rulesets), frozenset(skip)),
                                         name=self.plugin_name)
            self.capacity = max(1, sum(self._client.nthreads().values()))
        except BaseException:
            self.shutdown()
            raise

    def _check_workers(self) -> None:
        try:
            self._client.wait_for_workers(1, timeout=60)
        except TimeoutError:
            raise MsmatchError("the Dask cluster has no workers", file=self.address,
                               hint="start workers with: dask worker ADDRESS --nthreads 1") from None
        try:
            seen = self._client.run(worker_versions)
        except Exception as error:  # typically: msmatch cannot be imported on a worker
            raise MsmatchError(f"Dask workers cannot run msmatch: {type(error).__name__}: {error}",
                               file=self.address, hint=f"install msmatch {__version__} on every worker") from None
        wrong = {worker: versions for worker, versions in seen.items() if versions != self.versions}
        if wrong:
            worker, versions = next(iter(wrong.items()))
            raise MsmatchError(f"{len(wrong)} Dask worker(s) differ from this msmatch ({self.versions}): "
                               f"{worker} has {versions}", file=self.address,
                               hint=f"install msmatch {__version__} on every worker")

    def submit(self, fn, /, *args, **kwargs):
        return self._client.submit(_run_chunk, self.token, self.plugin_name, self.versions, fn, *args,
                                   pure=False, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        client, self._client = getattr(self, "_client", None), None
        if client is not None:
            try:
                if getattr(self, "plugin_name", None):
                    client.unregister_worker_plugin(self.plugin_name)
            except Exception:  # the cluster may be gone already; the plugin goes with it
                pass
            client.close()  # releases every future of this client, finished or not
        self._close_cluster()

    def _close_cluster(self) -> None:
        cluster, self._cluster = self._cluster, None
        if cluster is not None:
            cluster.close()
