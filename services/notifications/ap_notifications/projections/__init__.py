"""Read models of the notifications service."""
