"""Small-number suppression: the one function every report leaving an organisation passes through.

Rule served (DfE statistics practice, STATUTORY.md "Small numbers"): counts of 1 or 2 pupils, and
rates computed from them, are published as ``c``; a zero is published as 0; and secondary
suppression makes sure no suppressed cell can be recomputed from the published row and column
totals. Reports that stay inside an organisation responsible for the pupils may show exact counts
and do not call this.

How a table is protected. Picture the published grid with its totals: (rows + 1) x (columns + 1)
numbers where every row and column of the grid is an equation "cells add up to the total".
1. Primary: every count of 1 or 2, totals included, is suppressed.
2. Zeros (our choice, see below): in a row or column whose total is suppressed, every 0 is
   suppressed too, unless a published total of 0 already says the cell is 0.
3. Line rule (the familiar step): a row or column with exactly one suppressed cell could be solved
   by subtraction, so its smallest other non-zero cell (a total only if nothing else) is suppressed
   too; repeated until no line has exactly one.
4. Exact check: subtraction across several lines at once can still isolate a cell (two protected
   blocks joined by one cell), and a reader knows what "c" can stand for: a count of at least 1,
   or of at least 0 where step 2 hides zeros (a line through the cell has a suppressed total). A
   suppressed cell stays unknown exactly when the suppressed cells can be changed, by +1/-1 round a
   closed loop of rows and columns, keeping every cell at or above what the reader knows and every
   published total right; with signs chosen so that each loop is a directed cycle, this is a path
   search. For a cell with no such loop, the cheapest loop through non-zero cells is suppressed
   (one always exists, through the totals). Steps 2 to 4 repeat until nothing changes.
A suppressed cell may still be narrowed to a range (for example "1 or 2"): that is what DfE
practice accepts; what is ruled out is recovering its exact value.

Zeros. DfE practice for national statistics (STATUTORY.md, "Small numbers in published figures";
the DfE "Suspensions and permanent exclusions in England" release) shows 0 as 0. Our populations
are a partnership's or an authority's few pupils, where the pattern of zeros round a ``c`` is itself
information: in a term with one incident, a table of categories showing ``c`` in one row and 0 in
every other gives away the category of that incident (and, with a severity column, its severity).
So a 0 is shown as 0 except in a row or column whose total is suppressed: there, the breakdown of a
small group is exactly what must not be readable, and its zeros are ``c`` like its small counts.
A zero in a line whose published total is 0 stays 0 (the total already says it). Where a line's
total is published, its zeros are shown, as in DfE tables.

Tables that share figures (two breakdowns of the same placements with the same column totals) must
hide the shared figures alike, or one table would publish what the other hides: ``also_hidden``
takes the cells another table suppressed, and the caller repeats until both agree.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, Literal

SUPPRESSED: Final = "c"
NOT_APPLICABLE: Final = "z"
SMALL_COUNTS: Final = frozenset({1, 2})

Published = int | Literal["c"]
Cell = tuple[int, int]


@dataclass(frozen=True, slots=True)
class PublishedTable:
    """A table of counts as it may leave the organisation: exact numbers or ``"c"``."""

    cells: tuple[tuple[Published, ...], ...]
    row_totals: tuple[Published, ...]
    column_totals: tuple[Published, ...]
    grand_total: Published


def suppress_count(count: int) -> Published:
    """A single published count with no totals beside it."""
    if count < 0:
        raise ValueError("counts are never negative")
    return SUPPRESSED if count in SMALL_COUNTS else count


def suppress_rate(
    numerator: int, denominator: int, *, per: int = 100, places: int = 2, proportion: bool = False
) -> Decimal | Literal["c", "z"]:
    """``numerator / denominator x per``, rounded half up, or ``"c"`` when it rests on 1 or 2 pupils.

    Suppressed when the numerator or the denominator is 1 or 2. With ``proportion=True`` (the
    numerator is a subset of the denominator's pupils) also when the complement is 1 or 2, since
    the published rate and headcount would give it away. ``"z"`` (not applicable) when the
    denominator is 0.
    """
    if numerator < 0 or denominator < 0:
        raise ValueError("counts are never negative")
    if denominator == 0:
        return NOT_APPLICABLE
    small = numerator in SMALL_COUNTS or denominator in SMALL_COUNTS
    if proportion:
        if numerator > denominator:
            raise ValueError("a proportion's numerator cannot exceed its denominator")
        small = small or (denominator - numerator) in SMALL_COUNTS
    if small:
        return SUPPRESSED
    rate = Decimal(numerator) * per / Decimal(denominator)
    return rate.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def suppress_table(counts: Sequence[Sequence[int]], *, also_hidden: Iterable[Cell] = ()) -> PublishedTable:
    """Suppress a rows x columns table of counts together with its row, column and grand totals.

    ``also_hidden``: cells of the extended grid (row ``len(counts)`` holds the column totals, column
    ``len(counts[0])`` the row totals) that must be hidden because another published table hides
    the same figure.
    """
    grid = _Grid(counts, also_hidden)
    grid.protect()
    return grid.published()


def hidden_cells(table: PublishedTable) -> set[Cell]:
    """The cells of the extended grid a published table shows as ``c`` (for ``also_hidden``)."""
    rows = len(table.cells)
    extended = [[*row, total] for row, total in zip(table.cells, table.row_totals, strict=True)]
    extended.append([*table.column_totals, table.grand_total])
    return {(r, c) for r in range(rows + 1) for c, value in enumerate(extended[r]) if value == SUPPRESSED}


class _Grid:
    """The table extended by its totals: row ``R`` holds column totals, column ``C`` row totals."""

    def __init__(self, counts: Sequence[Sequence[int]], also_hidden: Iterable[Cell] = ()) -> None:
        widths = {len(row) for row in counts}
        if len(widths) > 1:
            raise ValueError("every row needs the same number of columns")
        self.R = len(counts)
        self.C = widths.pop() if widths else 0
        if any(v < 0 or isinstance(v, bool) for row in counts for v in row):
            raise ValueError("counts are whole numbers >= 0")
        self.values = [[*row, sum(row)] for row in counts]
        self.values.append([sum(row[c] for row in self.values) for c in range(self.C + 1)])
        self.hidden: set[Cell] = {cell for cell in self.cells() if self.value(cell) in SMALL_COUNTS}
        forced = set(also_hidden)
        outside = {cell for cell in forced if not (0 <= cell[0] <= self.R and 0 <= cell[1] <= self.C)}
        if outside:
            raise ValueError(f"cells outside the {self.R + 1} x {self.C + 1} extended table: {sorted(outside)}")
        self.hidden |= forced

    def value(self, cell: Cell) -> int:
        return self.values[cell[0]][cell[1]]

    def cells(self) -> Iterator[Cell]:
        return ((r, c) for r in range(self.R + 1) for c in range(self.C + 1))

    def lines(self) -> Iterator[list[Cell]]:
        """Each row and column of the extended grid; the last cell of each is its total."""
        for r in range(self.R + 1):
            yield [(r, c) for c in range(self.C + 1)]
        for c in range(self.C + 1):
            yield [(r, c) for r in range(self.R + 1)]

    def _lines_through(self, cell: Cell) -> tuple[list[Cell], list[Cell]]:
        r, c = cell
        return [(r, j) for j in range(self.C + 1)], [(i, c) for i in range(self.R + 1)]

    def lower_bound(self, cell: Cell) -> int:
        """What a reader knows a hidden cell is at least: 0 where zeros are hidden, else 1."""
        for line in self._lines_through(cell):
            if line[-1] != cell and line[-1] in self.hidden:
                return 0
        return 1

    def protect(self) -> None:
        while True:
            # The zero rule runs to its fixed point before each line rule pass: a lone hidden cell
            # then always has a non-zero cell or total beside it to hide.
            while self._apply_zero_rule() or self._apply_line_rule():
                pass
            pinned = next((cell for cell in sorted(self.hidden) if not self._on_free_loop(cell)), None)
            if pinned is None:
                return
            self._hide_cheapest_loop(pinned)

    def _apply_zero_rule(self) -> bool:
        """Zeros in a line whose total is hidden are hidden, unless a published zero total shows them.
        Runs to its fixed point; True if it hid anything."""
        changed, again = False, True
        while again:
            again = self._zero_rule_pass()
            changed |= again
        return changed

    def _zero_rule_pass(self) -> bool:
        changed = False
        for cell in self.cells():
            if cell in self.hidden or self.value(cell) != 0:
                continue
            lines = [line for line in self._lines_through(cell) if line[-1] != cell]
            if any(line[-1] not in self.hidden and self.value(line[-1]) == 0 for line in lines):
                continue
            if any(line[-1] in self.hidden for line in lines):
                self.hidden.add(cell)
                changed = True
        return changed

    def _apply_line_rule(self) -> bool:
        """One pass; True if it hid a cell (it stops there so that zeros are reconsidered first)."""
        for line in self.lines():
            if sum(cell in self.hidden for cell in line) != 1:
                continue
            # Non-empty: a lone hidden cell leaves its total, or another cell, non-zero (a line
            # whose published total is 0 never holds a hidden cell).
            candidates = [cell for cell in line if cell not in self.hidden and self.value(cell) > 0]
            self.hidden.add(min(candidates, key=lambda cell: (cell == line[-1], self.value(cell), cell)))
            return True
        return False

    # -- loops: rows are nodes 0..R, columns are nodes R+1..R+1+C ------------------------------------

    def _ends(self, cell: Cell, forward: bool) -> tuple[int, int]:
        row, col = cell[0], self.R + 1 + cell[1]
        return (row, col) if forward else (col, row)

    def _directions(self, cell: Cell) -> tuple[bool, ...]:
        """Directions a loop may cross a hidden cell; "forward" (row to column) adds +1 to an inner
        cell or the grand total and -1 to a row or column total. A count at what the reader knows is
        its least value may only grow."""
        if self.value(cell) > self.lower_bound(cell):
            return (True, False)
        is_total = cell[0] == self.R or cell[1] == self.C
        grows_forward = not is_total or (cell[0] == self.R and cell[1] == self.C)
        return (grows_forward,)

    def _arcs(self, exclude: Cell, with_candidates: bool) -> dict[int, list[tuple[int, int, Cell]]]:
        """node -> [(next node, cost, cell)]; hidden cells cost 0, visible non-zero ones their value."""
        arcs: dict[int, list[tuple[int, int, Cell]]] = {}
        for cell in self.cells():
            if cell == exclude:
                continue
            if cell in self.hidden:
                directions, cost = self._directions(cell), 0
            elif with_candidates and self.value(cell) > 0:
                directions, cost = (True, False), self.value(cell)
            else:
                continue
            for forward in directions:
                a, b = self._ends(cell, forward)
                arcs.setdefault(a, []).append((b, cost, cell))
        return arcs

    def _on_free_loop(self, cell: Cell) -> bool:
        arcs = self._arcs(cell, with_candidates=False)
        for forward in self._directions(cell):
            start, goal = self._ends(cell, forward)
            if _cheapest_path(arcs, goal, start) is not None:
                return True
        return False

    def _hide_cheapest_loop(self, cell: Cell) -> None:
        arcs = self._arcs(cell, with_candidates=True)
        paths = []
        for forward in self._directions(cell):
            start, goal = self._ends(cell, forward)
            found = _cheapest_path(arcs, goal, start)
            if found is not None:
                paths.append(found)
        # A loop through the totals always exists for a non-zero cell (row total, grand total,
        # column total), so ``paths`` is never empty.
        _, path = min(paths)
        self.hidden.update(path)

    def published(self) -> PublishedTable:
        def show(cell: Cell) -> Published:
            return SUPPRESSED if cell in self.hidden else self.value(cell)

        R, C = self.R, self.C
        return PublishedTable(
            cells=tuple(tuple(show((r, c)) for c in range(C)) for r in range(R)),
            row_totals=tuple(show((r, C)) for r in range(R)),
            column_totals=tuple(show((R, c)) for c in range(C)),
            grand_total=show((R, C)),
        )


def _cheapest_path(
    arcs: dict[int, list[tuple[int, int, Cell]]], source: int, target: int
) -> tuple[tuple[int, int], list[Cell]] | None:
    """Dijkstra by (total value newly hidden, cells newly hidden); returns (cost, cells) or None."""
    best: dict[int, tuple[int, int]] = {source: (0, 0)}
    back: dict[int, tuple[int, Cell]] = {}
    queue: list[tuple[int, int, int]] = [(0, 0, source)]
    while queue:
        cost, count, node = heapq.heappop(queue)
        if (cost, count) != best[node]:
            continue
        if node == target:
            path: list[Cell] = []
            while node != source:
                node, cell = back[node]
                path.append(cell)
            return (cost, count), path
        for nxt, step, cell in arcs.get(node, ()):
            candidate = (cost + step, count + (step > 0))
            if nxt not in best or candidate < best[nxt]:
                best[nxt] = candidate
                back[nxt] = (node, cell)
                heapq.heappush(queue, (*candidate, nxt))
    return None
