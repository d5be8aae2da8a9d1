"""The commissioning processes: the HTTP API."""
