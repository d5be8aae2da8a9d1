"""Report queries: read the facts, assemble a report."""
