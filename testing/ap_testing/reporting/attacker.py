"""An attacker on published reports: it reads every figure it can get and solves for the hidden ones.

Each true count behind a report is an unknown ("atom"), a whole number >= 0. Every published figure
is a sum of atoms: a shown figure is an equation, a ``c`` an inequality with what a reader knows it
stands for (at least 1, or at least 0 where the suppression hides zeros: a row or column through it
has a hidden total). Facts a reader can know from the world (two tables count the same placements)
are added as further equations. For each hidden figure the attacker computes the least and greatest
value the linear relaxation allows (exact linear algebra and bound propagation together, by the
simplex method), rounded inward to whole numbers: when they meet, the figure is recovered.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from ap_reporting.domain.published import Table

Atom = Hashable
SUPPRESSED = "c"
EPS = 1e-9


@dataclass(frozen=True)
class Figure:
    """``sum(coefficient * atom)``: shown (an equation) or hidden (at least ``lower``)."""

    terms: tuple[tuple[Atom, float], ...]
    shown: float | None
    lower: float
    label: str
    target: bool  # a hidden published figure the attacker tries to recover


@dataclass(frozen=True)
class Recovery:
    label: str
    low: float
    high: float


class Attacker:
    def __init__(self) -> None:
        self.figures: list[Figure] = []

    def relation(self, terms: Mapping[Atom, float], label: str) -> None:
        """Something a reader knows from the world: ``sum(coefficient * atom) = 0``."""
        self.figures.append(Figure(tuple(terms.items()), 0.0, 0.0, label, target=False))

    def at_least(self, terms: Mapping[Atom, float], lower: float, label: str) -> None:
        """Something a published figure implies: ``sum(coefficient * atom) >= lower``."""
        self.figures.append(Figure(tuple(terms.items()), None, lower, label, target=False))

    def read(self, table: Table, atom: Callable[[str, str], Atom], *, derived: bool = False) -> None:
        """Every figure of a published table; ``atom(row label, column label)`` names its cells.
        ``derived``: the table only adds up figures published elsewhere (a hidden one is >= 0)."""
        rows, columns = table.row_labels, table.column_labels
        shown = [[*cells, total] for cells, total in zip(table.cells, table.row_totals, strict=True)]
        shown.append([*table.column_totals, table.grand_total])
        R, C = len(rows), len(columns)
        for r in range(R + 1):
            for c in range(C + 1):
                members = [atom(rows[i], columns[j]) for i in (range(R) if r == R else [r])
                           for j in (range(C) if c == C else [c])]
                value = shown[r][c]
                label = f"{table.name}[{rows[r] if r < R else 'Total'}, {columns[c] if c < C else 'Total'}]"
                if value == SUPPRESSED:
                    hidden_total = any(t != (r, c) and shown[t[0]][t[1]] == SUPPRESSED for t in ((r, C), (R, c)))
                    lower = 0.0 if derived or hidden_total else 1.0
                    self.figures.append(Figure(tuple((m, 1.0) for m in members), None, lower, label, True))
                elif isinstance(value, int | Decimal):
                    self.figures.append(Figure(tuple((m, 1.0) for m in members), float(value), 0.0, label, False))
                else:
                    raise ValueError(f"{label}: unexpected published value {value!r}")

    def recovered(self) -> list[Recovery]:
        """Hidden figures whose every consistent value is one whole number."""
        found: list[Recovery] = []
        for figure, low, high in self.bounds(skip_unbounded=True):
            if figure.target and high < math.inf and math.ceil(low - 1e-6) == math.floor(high + 1e-6):
                found.append(Recovery(figure.label, low, high))
        return found

    def bounds(self, *, skip_unbounded: bool = False) -> list[tuple[Figure, float, float]]:
        """(figure, least, greatest) for every hidden figure, over all published figures.
        ``skip_unbounded``: leave out, unsolved, figures with an atom that no equation and no
        inequality with a negative coefficient holds (such a figure can grow without limit, so it
        is not recovered)."""
        atoms_fixed, figures = _presolve(self.figures)
        if skip_unbounded:
            held = {a for f in figures if f.shown is not None or any(k < 0 for _, k in f.terms) for a, _ in f.terms}
            figures = [f for f in figures if not (f.target and any(k > 0 and a not in held and a not in atoms_fixed
                                                                   for a, k in f.terms))]
        out: list[tuple[Figure, float, float]] = []
        for component in _components(figures):
            out += _solve_component(component, atoms_fixed)
        for figure in figures:
            if figure.shown is None and all(a in atoms_fixed for a, _ in figure.terms):
                value = sum(k * atoms_fixed[a] for a, k in figure.terms)
                out.append((figure, value, value))
        return out


def _presolve(figures: list[Figure]) -> tuple[dict[Atom, float], list[Figure]]:
    """Atoms a shown zero of non-negative terms forces to 0 (most cells of sparse tables)."""
    fixed: dict[Atom, float] = {}
    for f in figures:
        if f.shown == 0 and all(k > 0 for _, k in f.terms):
            fixed.update((a, 0.0) for a, _ in f.terms)
    return fixed, figures


def _components(figures: list[Figure]) -> list[list[Figure]]:
    parent: dict[Atom, Atom] = {}

    def find(a: Atom) -> Atom:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for f in figures:
        atoms = [a for a, _ in f.terms]
        for a in atoms[1:]:
            parent[find(a)] = find(atoms[0])
    groups: dict[Atom, list[Figure]] = {}
    for f in figures:
        if f.terms:
            groups.setdefault(find(f.terms[0][0]), []).append(f)
    return list(groups.values())


def _solve_component(figures: list[Figure], fixed: Mapping[Atom, float]) -> list[tuple[Figure, float, float]]:
    atoms = sorted({a for f in figures for a, _ in f.terms if a not in fixed}, key=repr)
    if not atoms:
        return []
    index = {a: i for i, a in enumerate(atoms)}
    hidden = [f for f in figures if f.shown is None]
    surplus = {id(f): len(atoms) + k for k, f in enumerate(hidden)}
    n = len(atoms) + len(hidden)  # atoms, then one surplus variable per hidden figure
    rows: list[list[float]] = []
    rhs: list[float] = []
    for f in figures:
        row = [0.0] * n
        constant = 0.0
        for a, k in f.terms:
            if a in fixed:
                constant += k * fixed[a]
            else:
                row[index[a]] += k
        if f.shown is None:
            row[surplus[id(f)]] = -1.0  # sum - surplus = lower
            target = f.lower - constant
        else:
            target = f.shown - constant
        if target < 0:
            row, target = [-v for v in row], -target
        rows.append(row)
        rhs.append(target)
    tableau = _Tableau(rows, rhs)
    if not tableau.make_feasible():
        raise ValueError("the published figures and the attacker's knowledge contradict each other")
    results = []
    for f in hidden:
        if not f.target:
            continue
        cost = [0.0] * n
        for a, k in f.terms:
            if a not in fixed:
                cost[index[a]] += k
        constant = sum(k * fixed[a] for a, k in f.terms if a in fixed)
        low = tableau.minimum(cost)
        high = tableau.minimum([-v for v in cost])
        results.append((f, constant + low, constant + (math.inf if high == -math.inf else -high)))
    return results


class _Tableau:
    """Dense simplex tableau for ``A x = b, x >= 0`` (b >= 0), Bland's rule against cycling."""

    def __init__(self, rows: list[list[float]], rhs: list[float]) -> None:
        m = len(rows)
        self.n = len(rows[0]) if rows else 0
        self.t = [row + [1.0 if i == j else 0.0 for j in range(m)] + [rhs[i]] for i, row in enumerate(rows)]
        self.basis = [self.n + i for i in range(m)]

    def _pivot(self, t: list[list[float]], basis: list[int], r: int, c: int) -> None:
        pivot_row = [v / t[r][c] for v in t[r]]
        t[r] = pivot_row
        for i, row in enumerate(t):
            factor = row[c]
            if i != r and abs(factor) > EPS:
                t[i] = [a - factor * b for a, b in zip(row, pivot_row, strict=True)]
        basis[r] = c

    def _optimise(self, t: list[list[float]], basis: list[int], cost: list[float], allowed: int) -> float:
        width = len(t[0]) if t else 0
        # Reduced costs (and, last, minus the objective value), kept up to date at each pivot.
        reduced = [cost[j] if j < len(cost) else 0.0 for j in range(width)]
        for i, b in enumerate(basis):
            weight = cost[b] if b < len(cost) else 0.0
            if weight:
                reduced = [r - weight * v for r, v in zip(reduced, t[i], strict=True)]
        while True:
            entering = next((j for j in range(allowed) if reduced[j] < -EPS), None)
            if entering is None:
                return -reduced[-1]
            best: tuple[float, int] | None = None
            for i, row in enumerate(t):
                if row[entering] > EPS:
                    ratio = row[-1] / row[entering]
                    if best is None or ratio < best[0] - EPS or (
                        abs(ratio - best[0]) <= EPS and basis[i] < basis[best[1]]
                    ):
                        best = (ratio, i)
            if best is None:
                return -math.inf
            self._pivot(t, basis, best[1], entering)
            factor = reduced[entering]
            reduced = [r - factor * v for r, v in zip(reduced, t[best[1]], strict=True)]

    def make_feasible(self) -> bool:
        """Phase one; then drop the artificial columns (and rows that were only redundant)."""
        m = len(self.t)
        cost = [0.0] * self.n + [1.0] * m
        if self._optimise(self.t, self.basis, cost, self.n + m) > 1e-7:
            return False
        keep = []
        for i in range(m):
            if self.basis[i] >= self.n:
                j = next((j for j in range(self.n) if abs(self.t[i][j]) > EPS), None)
                if j is None:
                    continue
                self._pivot(self.t, self.basis, i, j)
            keep.append(i)
        self.t = [[*self.t[i][: self.n], self.t[i][-1]] for i in keep]
        self.basis = [self.basis[i] for i in keep]
        return True

    def minimum(self, cost: list[float]) -> float:
        t = [row[:] for row in self.t]
        return self._optimise(t, self.basis[:], cost, self.n)


def read_all(attacker: Attacker, tables: Iterable[tuple[Table, Callable[[str, str], Atom]]]) -> None:
    for table, atom in tables:
        attacker.read(table, atom)
