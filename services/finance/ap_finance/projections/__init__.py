"""Read models of the finance service: the double-entry ledger and placement costs."""
