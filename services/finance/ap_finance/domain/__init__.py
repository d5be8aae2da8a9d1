"""Pure finance domain: commands, decide/evolve, named rule violations, allocation and ledger maths.

Start with ``decide.py`` (routing) and the rule modules it names; ``ledger.py`` derives the
double-entry view that must always reconcile; ``allocation.py`` shares a surplus exactly.
"""
