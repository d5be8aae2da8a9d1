"""I/O of the commissioning service: the event store on PostgreSQL."""
