"""Processes: the reporting API and the projections runner."""
