"""Read models of the commissioning service (none yet: reads fold the streams)."""
