"""``constructed``: the one reader of what a function builds (declaration checks, finance's route rule ids)."""

from __future__ import annotations

from functools import singledispatch

from ap_runtime.code_reading import constructed


class Built:
    pass


class First(Built):
    pass


class Second(Built):
    pass


class Unrelated:
    pass


def _helper() -> Built:
    return Second()


@singledispatch
def _dispatch(value: object) -> Built:
    raise TypeError(value)


@_dispatch.register
def _on_int(value: int) -> Built:
    return First()


def builds_directly() -> list[object]:
    return [First(), Unrelated()]


def builds_through_a_helper() -> Built:
    return _helper()


def builds_through_dispatch() -> Built:
    return _dispatch(1)


def calls_itself(n: int) -> Built:
    return calls_itself(n - 1) if n else First()


def test_only_subclasses_of_the_base_are_reported() -> None:
    assert constructed(builds_directly, Built) == {First}


def test_calls_to_functions_of_the_same_package_are_followed() -> None:
    assert constructed(builds_through_a_helper, Built) == {Second}


def test_each_registered_implementation_of_a_singledispatch_function_is_read() -> None:
    assert constructed(builds_through_dispatch, Built) == {First}


def test_recursion_is_read_once() -> None:
    assert constructed(calls_itself, Built) == {First}
