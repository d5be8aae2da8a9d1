"""Root pytest configuration: every test session gets the shared real-infrastructure fixtures."""

pytest_plugins = ["ap_runtime.testing.infra"]
