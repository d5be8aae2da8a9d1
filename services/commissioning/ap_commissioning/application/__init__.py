"""Load, authorise, decide, append; and the reads."""
