"""Finance's double-entry ledger arithmetic (pure): posting finance events to entries (``entries``) and the
balances read from them (``balances``). Here rather than in the finance service because the reporting service
prints the same budget, actual, committed and remaining (the annual report's Budget Summary, issue 15) and
services share code only through the contracts; finance's ``domain.ledger`` re-exports both.
"""
