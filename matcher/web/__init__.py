"""The clinic web app (``msmatch serve``): a patient form, ranked results, and rule review for coordinators."""

__all__ = ["create_app", "TrialCatalog"]


def __getattr__(name: str):
    # Imported on first use, so that registering `msmatch serve` does not load FastAPI and the compiler.
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "TrialCatalog":
        from .catalog import TrialCatalog

        return TrialCatalog
    raise AttributeError(name)
