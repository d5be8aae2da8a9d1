"""Finance command handlers and queries: authorise, load, decide (domain), append or read.

No business rule lives here except the one that spans two streams (carry-forward between years,
checked by the domain's ``carry_forward`` functions on both streams' histories).
"""
