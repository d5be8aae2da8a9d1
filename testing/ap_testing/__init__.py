"""Test support shared by every package (importing this package imports no test framework).

`ap_testing.infra` is the pytest plugin giving real PostgreSQL and Kafka to integration tests
(loaded by the root conftest.py); its `resolve_infrastructure()` serves the bench as well.
"""
