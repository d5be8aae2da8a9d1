"""The reporting read model (counts and codes, never names or narrative)."""
