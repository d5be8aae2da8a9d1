"""I/O of the finance service: PostgreSQL (event store queries, read models)."""
