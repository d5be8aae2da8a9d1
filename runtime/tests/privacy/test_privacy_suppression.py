"""Small-number suppression, attacked: no published 1 or 2, and no suppressed cell recoverable.

Three attackers read only the published table: (1) the obvious one, solving every row or column
with one unknown and repeating; (2) exact linear algebra over all row and column equations at
once; (3) for small tables, an integer search that also uses what a reader knows about "c"
(never 0 where zeros are shown; at least 0 in a row or column whose total is hidden, since zeros
are hidden there) and looks for a second consistent table differing in each cell.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ap_runtime.privacy.suppression import (
    SUPPRESSED,
    PublishedTable,
    suppress_count,
    suppress_rate,
    suppress_table,
)

Cell = tuple[int, int]
Grid = list[list[int | str]]


def extended(table: PublishedTable) -> Grid:
    rows: Grid = [[*row, total] for row, total in zip(table.cells, table.row_totals, strict=True)]
    rows.append([*table.column_totals, table.grand_total])
    return rows


def true_extended(counts: Sequence[Sequence[int]]) -> list[list[int]]:
    width = len(counts[0]) if counts else 0
    rows = [[*row, sum(row)] for row in counts]
    rows.append([sum(r[c] for r in rows) for c in range(width + 1)])
    return rows


def lines(grid: Grid) -> Iterator[list[Cell]]:
    height, width = len(grid), len(grid[0])
    for r in range(height):
        yield [(r, c) for c in range(width)]
    for c in range(width):
        yield [(r, c) for r in range(height)]


def equation(line: list[Cell]) -> dict[Cell, int]:
    """Coefficients of "cells minus total = 0" (the last cell of every line is its total)."""
    return {cell: (-1 if cell == line[-1] else 1) for cell in line}


def iterative_attack(grid: Grid) -> dict[Cell, int]:
    """Solve each line with exactly one unknown, from published totals and cells, until stuck."""
    known = {(r, c): v for r, row in enumerate(grid) for c, v in enumerate(row) if v != SUPPRESSED}
    recovered: dict[Cell, int] = {}
    progress = True
    while progress:
        progress = False
        for line in lines(grid):
            unknown = [cell for cell in line if cell not in known]
            if len(unknown) != 1:
                continue
            coefficients = equation(line)
            rest = sum(coefficients[cell] * int(known[cell]) for cell in line if cell != unknown[0])
            value = -rest * coefficients[unknown[0]]
            known[unknown[0]] = recovered[unknown[0]] = value
            progress = True
    return recovered


def linear_attack(grid: Grid) -> set[Cell]:
    """Unknowns fixed by the row and column equations taken together (exact rational elimination)."""
    unknowns = [(r, c) for r, row in enumerate(grid) for c, v in enumerate(row) if v == SUPPRESSED]
    index = {cell: i for i, cell in enumerate(unknowns)}
    matrix: list[list[Fraction]] = []
    for line in lines(grid):
        coefficients = equation(line)
        row = [Fraction(0)] * (len(unknowns) + 1)
        for cell in line:
            if cell in index:
                row[index[cell]] = Fraction(coefficients[cell])
            else:
                row[-1] -= coefficients[cell] * int(grid[cell[0]][cell[1]])
        matrix.append(row)
    pivot_row = 0
    for col in range(len(unknowns)):
        pivot = next((r for r in range(pivot_row, len(matrix)) if matrix[r][col] != 0), None)
        if pivot is None:
            continue
        matrix[pivot_row], matrix[pivot] = matrix[pivot], matrix[pivot_row]
        lead = matrix[pivot_row][col]
        matrix[pivot_row] = [v / lead for v in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[pivot_row], strict=True)]
        pivot_row += 1
    return {
        unknowns[next(i for i, v in enumerate(row[:-1]) if v != 0)]
        for row in matrix
        if sum(v != 0 for v in row[:-1]) == 1
    }


def reader_lower_bound(grid: Grid, cell: Cell) -> int:
    """What the published rules tell a reader about a "c": 0 if a line through it has a hidden total."""
    r, c = cell
    row_total, column_total = (r, len(grid[0]) - 1), (len(grid) - 1, c)
    for total in (row_total, column_total):
        if total != cell and grid[total[0]][total[1]] == SUPPRESSED:
            return 0
    return 1


def integer_alternative_exists(grid: Grid, truth: list[list[int]], target: Cell) -> bool:
    """Is there a table consistent with everything published and what "c" can stand for, differing at
    ``target``?"""
    unknowns = [(r, c) for r, row in enumerate(grid) for c, v in enumerate(row) if v == SUPPRESSED]
    cap = max(max(row) for row in truth) + 3
    all_lines = [(line, equation(line)) for line in lines(grid)]
    order = [target] + [u for u in unknowns if u != target]
    assigned: dict[Cell, int] = {}

    def value(cell: Cell) -> int | None:
        published = grid[cell[0]][cell[1]]
        return int(published) if published != SUPPRESSED else assigned.get(cell)

    def consistent() -> bool:
        for line, coefficients in all_lines:
            values = [value(cell) for cell in line]
            known = [v for v in values if v is not None]
            if len(known) < len(line):
                continue
            balance: int = sum(coefficients[c] * v for c, v in zip(line, known, strict=True))
            if balance != 0:
                return False
        return True

    def forced() -> tuple[Cell, int] | None:
        """An unknown that is the last one open in some line, with the value the line forces."""
        for line, coefficients in all_lines:
            open_cells = [cell for cell in line if value(cell) is None]
            if len(open_cells) == 1:
                cell = open_cells[0]
                rest = sum(coefficients[c] * (value(c) or 0) for c in line if c != cell)
                return cell, -rest * coefficients[cell]
        return None

    def search() -> bool:
        if not consistent():
            return False
        if len(assigned) == len(unknowns):
            return True
        step = forced()
        if step is not None:
            cell, must = step
            if must < reader_lower_bound(grid, cell) or must > cap or (
                cell == target and must == truth[cell[0]][cell[1]]
            ):
                return False
            choices = [must]
        else:
            cell = next(u for u in order if u not in assigned)
            true_value = truth[cell[0]][cell[1]]
            others = [v for v in range(reader_lower_bound(grid, cell), cap + 1) if v != true_value]
            choices = others if cell == target else [true_value, *others]
        for choice in choices:
            assigned[cell] = choice
            if search():
                return True
            del assigned[cell]
        return False

    return search()


counts_strategy = st.integers(1, 6).flatmap(
    lambda width: st.lists(
        st.lists(st.one_of(st.integers(0, 3), st.integers(0, 40)), min_size=width, max_size=width),
        min_size=1, max_size=6,
    )
)
small_counts_strategy = st.integers(1, 3).flatmap(
    lambda width: st.lists(st.lists(st.integers(0, 5), min_size=width, max_size=width), min_size=1, max_size=3)
)


@given(counts_strategy)
@settings(max_examples=400, deadline=None, derandomize=True)
def test_published_counts_are_exact_or_c_and_never_1_or_2(counts: list[list[int]]) -> None:
    published = extended(suppress_table(counts))
    truth = true_extended(counts)
    for published_row, true_row in zip(published, truth, strict=True):
        for shown, actual in zip(published_row, true_row, strict=True):
            assert shown == SUPPRESSED or shown == actual
            assert shown not in (1, 2)
            if actual in (1, 2):
                assert shown == SUPPRESSED
    grid = extended(suppress_table(counts))
    for r, row in enumerate(grid):
        for c, shown in enumerate(row):
            if truth[r][c] == 0 and shown == SUPPRESSED:
                assert reader_lower_bound(grid, (r, c)) == 0  # a zero is hidden only where zeros are


@given(counts_strategy)
@settings(max_examples=400, deadline=None, derandomize=True)
def test_no_suppressed_cell_is_recovered_by_solving_lines_one_at_a_time(counts: list[list[int]]) -> None:
    assert iterative_attack(extended(suppress_table(counts))) == {}


@given(counts_strategy)
@settings(max_examples=300, deadline=None, derandomize=True)
def test_no_suppressed_cell_is_recovered_by_linear_algebra(counts: list[list[int]]) -> None:
    assert linear_attack(extended(suppress_table(counts))) == set()


@given(small_counts_strategy)
@settings(max_examples=250, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
def test_no_suppressed_cell_is_pinned_even_knowing_what_each_c_can_stand_for(counts: list[list[int]]) -> None:
    grid = extended(suppress_table(counts))
    truth = true_extended(counts)
    for r, row in enumerate(grid):
        for c, shown in enumerate(row):
            if shown == SUPPRESSED:
                assert integer_alternative_exists(grid, truth, (r, c)), (counts, (r, c))


@pytest.mark.parametrize("counts", [[[1, 1, 1]], [[1, 1, 10, 12], [5, 6, 7, 8]]])
def test_ones_are_not_given_away_by_their_sum(counts: list[list[int]]) -> None:
    # Suppressed cells that add up to their own number must all be 1: the line rule alone
    # publishes [[c, c, c, 3]] for [[1, 1, 1]]. Another cell, or the total, must go too.
    grid, truth = extended(suppress_table(counts)), true_extended(counts)
    for r, row in enumerate(grid):
        for c, shown in enumerate(row):
            if shown == SUPPRESSED:
                assert integer_alternative_exists(grid, truth, (r, c))


@pytest.mark.parametrize(
    "counts",
    [
        # Blocks in rows 0-1 / columns 0-1 and rows 2-3 / columns 2-3 joined by cell (0, 2): after
        # the line rule alone, (0, 2) = rows 0-1 minus columns 0-1.
        [[1, 2, 1, 50], [2, 1, 40, 30], [60, 40, 1, 2], [30, 70, 2, 1]],
        # Found by a random search against the line rule alone: (2, 4) was recoverable.
        [[1, 0, 34, 37, 1], [0, 3, 2, 0, 0], [0, 2, 3, 0, 2]],
    ],
)
def test_cells_isolated_by_combining_several_lines_are_protected(counts: list[list[int]]) -> None:
    assert linear_attack(extended(suppress_table(counts))) == set()


def test_zeros_in_a_line_whose_total_is_hidden_are_hidden_too() -> None:
    # One incident in the period: showing the zeros would give away its row and column.
    counts = [[0] * 5 for _ in range(4)]
    counts[2][3] = 1
    published = extended(suppress_table(counts))
    assert all(value == SUPPRESSED for row in published for value in row)


def test_a_small_row_hides_its_zeros_unless_a_published_zero_total_already_says_so() -> None:
    counts = [[0, 0, 0, 1], [5, 0, 4, 9], [6, 0, 7, 8]]
    published = suppress_table(counts)
    assert published.cells[0] == ("c", 0, "c", "c") and published.row_totals[0] == "c"
    assert published.column_totals[1] == 0  # a column of zeros only: nothing there to protect
    assert published.grand_total == 40
    assert linear_attack(extended(published)) == set()


def test_cells_another_table_hides_are_hidden_here_too() -> None:
    published = suppress_table([[5, 7], [6, 9]], also_hidden=[(2, 0)])
    assert published.column_totals[0] == SUPPRESSED
    assert linear_attack(extended(published)) == set()
    with pytest.raises(ValueError):
        suppress_table([[5]], also_hidden=[(3, 0)])


def test_zero_table_and_empty_table() -> None:
    assert suppress_table([[0, 0], [0, 0]]) == PublishedTable(((0, 0), (0, 0)), (0, 0), (0, 0), 0)
    assert suppress_table([]) == PublishedTable((), (), (), 0)


def test_a_lone_small_count_suppresses_its_totals() -> None:
    assert suppress_table([[2]]) == PublishedTable((("c",),), ("c",), ("c",), "c")


def test_a_familiar_table() -> None:
    published = suppress_table([[1, 5, 7], [4, 9, 12], [3, 3, 20]])
    assert published.cells[0][0] == SUPPRESSED
    assert published.grand_total == 64
    assert sum(row.count(SUPPRESSED) for row in published.cells) >= 4


def test_ragged_or_negative_tables_are_refused() -> None:
    with pytest.raises(ValueError):
        suppress_table([[1, 2], [3]])
    with pytest.raises(ValueError):
        suppress_table([[-1]])


def test_single_counts() -> None:
    assert [suppress_count(n) for n in range(5)] == [0, "c", "c", 3, 4]


def test_rates() -> None:
    assert suppress_rate(3, 7) == Decimal("42.86")
    assert suppress_rate(0, 9) == Decimal("0.00")
    assert suppress_rate(1, 900) == "c" and suppress_rate(2, 900) == "c"
    assert suppress_rate(5, 2) == "c"  # a denominator of 1 or 2 pupils is itself a small count
    assert suppress_rate(5, 0) == "z"
    assert suppress_rate(955_000, 8_443_000, places=2) == Decimal("11.31")
    assert suppress_rate(98, 100) == Decimal("98.00")
    assert suppress_rate(98, 100, proportion=True) == "c"  # 2 pupils without, given away
    assert suppress_rate(1, 8, per=1000, places=0) == "c"
    assert suppress_rate(3, 8, per=1000, places=0) == Decimal("375")


@given(st.integers(0, 10_000), st.integers(0, 10_000))
@settings(derandomize=True)
def test_a_rate_is_suppressed_exactly_when_it_rests_on_1_or_2(numerator: int, denominator: int) -> None:
    rate = suppress_rate(numerator, denominator)
    if denominator == 0:
        assert rate == "z"
    elif numerator in (1, 2) or denominator in (1, 2):
        assert rate == "c"
    else:
        assert isinstance(rate, Decimal)
        assert abs(rate - Decimal(numerator) * 100 / denominator) <= Decimal("0.005")
