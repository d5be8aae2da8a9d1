"""Entry points of the finance service: the HTTP API and the projections process."""
