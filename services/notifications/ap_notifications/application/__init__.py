"""Command handlers: load, decide, append through the command executor, deliver."""
