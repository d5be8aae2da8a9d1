"""The EdDSA signature check of bearer tokens, by libsodium (PyNaCl).

Rule served: issue 11 (the command path faster) without weakening authentication. Every command
carries a fresh single-use token, so each costs one Ed25519 verification: libsodium's takes about
60 us here, cryptography's (OpenSSL's) 125-140 us. Only that step moves. PyJWT still parses the
header and payload, enforces the algorithm allow-list and checks the registered claims; the
decoder built here knows exactly one algorithm, EdDSA checked by libsodium, so ``none``, HMAC or
any other ``alg`` is refused before a key is touched, whatever list a caller passes. Signing stays
with cryptography (``TokenIssuer``): both implement RFC 8032 Ed25519, and libsodium refuses a
non-canonical signature (S not below the group order) as OpenSSL does.

PyJWT's check that each segment is base64url (``PyJWS._decode_base64url_segment``) tests every
character with a Python generator: about 43 us of a 420-character token, a third of what is left
once the signature is libsodium's. ``_SodiumJWS`` finds a segment of plain base64url characters
with one ``bytes.translate`` and applies PyJWT's remaining rules for such a segment (length, the
canonical encoding); any other segment (padding, junk) goes to PyJWT's own function unchanged.
A token of the issuer's own shape skips PyJWT altogether when it would pass (``token_claims``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn, cast

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from jwt.algorithms import Algorithm
from jwt.api_jws import PyJWS
from jwt.exceptions import DecodeError, InvalidKeyError
from nacl.bindings import crypto_sign_BYTES
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from ap_runtime.access.token_claims import BASE64URL, plain_claims, plain_segment

ALGORITHM = "EdDSA"


class SodiumEd25519(Algorithm):
    """PyJWT's EdDSA, verified by libsodium against a raw 32-byte Ed25519 public key (a ``VerifyKey``)."""

    def prepare_key(self, key: Any) -> VerifyKey:
        # Only a VerifyKey: never a PEM string or bytes a caller might mean as something else.
        if not isinstance(key, VerifyKey):
            raise InvalidKeyError(f"EdDSA verification needs a nacl VerifyKey, not {type(key).__name__}")
        return key

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        # PyNaCl refuses a signature of another length with a ValueError: here it is just not valid.
        if len(sig) != crypto_sign_BYTES:
            return False
        try:
            cast(VerifyKey, key).verify(msg, sig)
        except BadSignatureError:
            return False
        return True

    def sign(self, msg: bytes, key: Any) -> NoReturn:
        raise NotImplementedError("verification only: tokens are signed with cryptography (TokenIssuer)")

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> NoReturn:
        raise NotImplementedError("verification only: the public key is configured, not exported")

    @staticmethod
    def from_jwk(jwk: Any) -> NoReturn:
        raise NotImplementedError("verification only: the public key is configured, not read from a JWK")


class _SodiumJWS(PyJWS):
    """PyJWT's signature layer, its base64url check of a plain segment in one C pass."""

    @staticmethod
    def _decode_base64url_segment(segment: bytes, name: str) -> bytes:
        if segment.translate(None, BASE64URL):  # padding or junk: PyJWT's own rules and errors
            return PyJWS._decode_base64url_segment(segment, name)
        # Base64url characters only: of PyJWT's rules, what is left is the length and one encoding per value.
        decoded = plain_segment(segment)
        if decoded is None:
            raise DecodeError(f"Invalid {name} padding")
        return decoded


class _SodiumJWT(jwt.PyJWT):
    """``PyJWT`` whose signature layer (its ``PyJWS``) knows only ``SodiumEd25519`` as EdDSA."""

    def __init__(self, algorithm: SodiumEd25519) -> None:
        super().__init__()
        jws = _SodiumJWS(algorithms=[], options=self._jws.options)  # no default algorithm at all
        jws.register_algorithm(ALGORITHM, algorithm)
        self._jws = jws


class TokenDecoder:
    """Decodes and checks one service's tokens against one Ed25519 public key."""

    def __init__(self, public_key: Ed25519PublicKey) -> None:
        self._key = VerifyKey(public_key.public_bytes_raw())
        self._algorithm = SodiumEd25519()
        self._jwt = _SodiumJWT(self._algorithm)

    def decode(self, token: str, *, audience: str, issuer: str, leeway: float,
               require: Sequence[str]) -> dict[str, Any]:
        """The claims of ``token``, raising PyJWT's errors as ``jwt.decode`` does (same checks, same order): a token
        of the issuer's own shape is checked by hand (``token_claims``), any other by PyJWT."""
        claims = plain_claims(token, self._algorithm, self._key, audience=audience, issuer=issuer, leeway=leeway,
                              require=require)
        if claims is not None:
            return claims
        return self._jwt.decode(
            token,
            cast(Any, self._key),  # PyJWT's key types are cryptography's; this algorithm takes a VerifyKey
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            leeway=leeway,
            options={"require": list(require)},
        )
