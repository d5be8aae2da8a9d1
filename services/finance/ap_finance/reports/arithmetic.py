"""Integer division for money: the one rounding rule used in reports (half up, to the penny)."""

from __future__ import annotations


def divide_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half up (away from zero at .5) for non-negative inputs."""
    if denominator <= 0:
        raise ValueError("cannot divide by a non-positive amount")
    if numerator < 0:
        return -divide_half_up(-numerator, denominator)
    return (2 * numerator + denominator) // (2 * denominator)
