"""I/O of the notifications service: delivery channels, the delivery ledger, the event store."""
