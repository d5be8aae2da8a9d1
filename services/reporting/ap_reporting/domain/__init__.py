"""Pure report assembly: periods, phases, bands, suppression of published tables."""
