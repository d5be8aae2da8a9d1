"""A token of the platform issuer's own shape, checked by hand: the claims PyJWT would return, or None to ask PyJWT.

Rule served: issue 11 (the command path faster) without weakening authentication. Past the signature, PyJWT spent
about 45 us of every command's token check on generic work: option dictionaries merged per call, each segment
decoded through Python wrappers, both JSON documents parsed by the standard library, the claims checked by a
dozen small methods. ``plain_claims`` accepts only what PyJWT would accept, with the same claims: the header
segment exactly the one ``TokenIssuer`` writes (``{"alg":"EdDSA","typ":"JWT"}``, so no ``kid``, ``crit`` or
``b64`` to judge), payload and signature segments of plain base64url in their one canonical spelling, the
signature checked by the decoder's own ``SodiumEd25519``, a JSON object payload (orjson accepts a subset of
what the standard library reads, to the same values), every required claim present and not null, ``iat``,
``nbf`` and ``exp`` integers within PyJWT's bounds (leeway included), ``iss`` and ``aud`` strings equal to the
expected ones, ``sub`` and ``jti`` strings. Anything else returns None and the caller runs PyJWT's own decode,
which accepts or refuses it with PyJWT's own error. The claims are judged before the signature, so a token PyJWT
must judge is still checked once, by PyJWT. The one refusal made here is a bad signature on a token whose every
other part passes: PyJWT checks the signature before the claims and refuses it with the same
``InvalidSignatureError``.
"""

from __future__ import annotations

import binascii
import time
from collections.abc import Sequence
from typing import Any

import orjson
from jwt.algorithms import Algorithm
from jwt.exceptions import InvalidSignatureError

__all__ = ["BASE64URL", "ISSUED_HEADER_SEGMENT", "plain_claims", "plain_segment"]

_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
BASE64URL = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# What PyJWT's ``jwt.encode`` writes for TokenIssuer (sorted keys, no spaces), base64url without padding.
ISSUED_HEADER_SEGMENT = b"eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9"
_SIGNATURE_BYTES = 64
_TIMES = ("iat", "nbf", "exp")


def plain_segment(segment: bytes) -> bytes | None:
    """The bytes of a plain base64url segment in its canonical spelling (as PyJWT accepts it), else None."""
    if segment.translate(None, BASE64URL) or len(segment) % 4 == 1:
        return None
    decoded = binascii.a2b_base64(segment.translate(_TO_STANDARD) + b"=" * (-len(segment) % 4))
    canonical = binascii.b2a_base64(decoded, newline=False).rstrip(b"=").translate(_TO_URLSAFE)
    return decoded if canonical == segment else None


def _signed_parts(token: str) -> tuple[bytes, bytes, bytes] | None:
    """The signing input, payload and signature of a token with the issuer's header, else None."""
    if not token.isascii():
        return None
    parts = token.encode("ascii").split(b".")
    if len(parts) != 3 or parts[0] != ISSUED_HEADER_SEGMENT:
        return None
    payload, signature = plain_segment(parts[1]), plain_segment(parts[2])
    if payload is None or signature is None or len(signature) != _SIGNATURE_BYTES:
        return None
    return parts[0] + b"." + parts[1], payload, signature


def _claims_hold(claims: dict[str, Any], *, audience: str, issuer: str, leeway: float,
                 require: Sequence[str]) -> bool:
    """PyJWT's claim checks of ``_validate_claims``, narrowed to the values it accepts as they are."""
    if any(claims.get(name) is None for name in require):
        return False
    now = time.time()
    for name in _TIMES:
        if name in claims and type(claims[name]) is not int:  # PyJWT reads floats and numeric strings too
            return False
    if ("iat" in claims and claims["iat"] > now + leeway) or ("nbf" in claims and claims["nbf"] > now + leeway):
        return False
    if "exp" in claims and claims["exp"] <= now - leeway:
        return False
    if claims.get("iss") != issuer or type(claims.get("iss")) is not str:
        return False
    if claims.get("aud") != audience or type(claims.get("aud")) is not str:
        return False
    return all(type(claims[name]) is str for name in ("sub", "jti") if name in claims)


def plain_claims(token: str, algorithm: Algorithm, key: Any, *, audience: str, issuer: str, leeway: float,
                 require: Sequence[str]) -> dict[str, Any] | None:
    """The claims PyJWT's decode would return for ``token``, or None when PyJWT must judge it (see the module)."""
    parts = _signed_parts(token)
    if parts is None:
        return None
    signing_input, payload, signature = parts
    try:
        claims = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    if type(claims) is not dict or not _claims_hold(claims, audience=audience, issuer=issuer, leeway=leeway,
                                                     require=require):
        return None  # PyJWT checks the signature, then judges the claims: still one check per token
    if not algorithm.verify(signing_input, key, signature):
        raise InvalidSignatureError("Signature verification failed")  # PyJWT's refusal of it, word for word
    return claims
