"""Decode an envelope from a Kafka record at the cost of validation alone, refusing exactly what the contract refuses.

Rule served (issue 9, "Input and transport"): no text holding a NUL or an unpaired surrogate is
accepted anywhere (``ap_contracts.text``). The contract models enforce it with a wrap validator
that walks every string of the input in Python: half the cost of decoding an envelope, paid on
every event a projection reads (issue 11: a rebuild must reach 50,000 events/s).

Such text can reach a JSON document in two ways only: as a ``\\u`` escape (``\\u0000``,
``\\ud800``...), or as raw bytes: a NUL byte (a control character, which JSON refuses inside a
string and anywhere else) or the UTF-8-like bytes ``ED A0``-``ED BF`` of a surrogate (not UTF-8).
Raw, both are refused by the JSON parser itself, before any field, with the same error on either path
(``runtime/tests/test_projection_decoding.py``). So a record whose bytes hold no ``\\u`` holds no
unstorable text the parser would let through, and the walk cannot refuse it: it is validated by the
same model without the walk. Any other record takes the contract's own path, whose error names the field.
"""

from __future__ import annotations

from pydantic import BaseModel

from ap_contracts.envelope import Actor, EventEnvelope


class _ActorWithoutTextWalk(Actor):
    """``Actor`` for input already known to hold no unstorable text (same fields, same config)."""


class _EnvelopeWithoutTextWalk(EventEnvelope):
    """``EventEnvelope`` for input already known to hold no unstorable text (same fields, same config)."""

    actor: _ActorWithoutTextWalk


def _drop_text_walk(model: type[BaseModel]) -> None:
    """Remove the inherited text walk from ``model``'s validators and rebuild its validator.

    A pass-through override would still make pydantic hand the validator Python objects instead
    of validating the JSON directly (twice the cost); so the walk is taken out of the subclass's
    decorators. ``runtime/tests/test_projection_decoding.py`` holds the result to the contract.
    """
    model.__pydantic_decorators__.model_validators.pop(_TEXT_WALK, None)
    model.model_rebuild(force=True)


_TEXT_WALK = "_refuse_unstorable_text"
if _TEXT_WALK not in EventEnvelope.__pydantic_decorators__.model_validators:
    raise RuntimeError(f"EventEnvelope no longer validates text with {_TEXT_WALK}: review {__name__}")
_drop_text_walk(_ActorWithoutTextWalk)
_drop_text_walk(_EnvelopeWithoutTextWalk)


def may_hold_unstorable_text(value: bytes) -> bool:
    """Whether JSON ``value`` could carry a NUL or an unpaired surrogate that its parser lets through (see the module).

    Usually one search for a single byte (a ``memchr``, several times cheaper than the two-byte search for
    ``\\u`` that only a record holding a backslash needs). Testing for raw NUL and ``0xED`` bytes as well
    took two more and found nothing the parser does not refuse anyway (issue 11: a rebuild's million records).
    """
    return b"\\" in value and b"\\u" in value


# The models' validators, called directly: ``model_validate_json`` adds a Python frame and its keyword
# arguments to each of a rebuild's million calls for nothing.
_CONTRACT = EventEnvelope.__pydantic_validator__.validate_json
_WITHOUT_TEXT_WALK = _EnvelopeWithoutTextWalk.__pydantic_validator__.validate_json


def decode_envelope_json(value: bytes) -> EventEnvelope:
    """The envelope in ``value``; raises pydantic's ``ValidationError`` exactly when the contract does."""
    envelope: EventEnvelope = (_CONTRACT if may_hold_unstorable_text(value) else _WITHOUT_TEXT_WALK)(value)
    return envelope
