"""Test support for the notifications service (imports no test framework; never used in production code)."""
