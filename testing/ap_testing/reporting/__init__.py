"""Test support for the reporting service (imports no test framework; never used in production code)."""
