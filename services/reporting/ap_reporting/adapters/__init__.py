"""I/O helpers of the reporting service: event decoding, CSV rendering."""
