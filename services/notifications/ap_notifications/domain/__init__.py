"""Pure alert and transfer rules: no I/O, no clock."""
