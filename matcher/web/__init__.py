"""The clinic web app (``msmatch serve``): a patient form, ranked results, and rule review for coordinators."""

from .app import create_app
from .catalog import TrialCatalog

__all__ = ["create_app", "TrialCatalog"]
