"""Batch: screen a whole registry against many trials, in parallel, into a results store."""

from .attrition import attrition_report
from .registry import RegistryError, iter_registry
from .runner import BatchSummary, run_batch

__all__ = ["run_batch", "BatchSummary", "iter_registry", "RegistryError", "attrition_report"]
