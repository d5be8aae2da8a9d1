"""Processes: the alert worker, the HTTP API, the safeguarding transfer check."""
