"""msmatch: compile MS trial eligibility criteria into typed rules and screen patients against them."""

__version__ = "0.1.0"
