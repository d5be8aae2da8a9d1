"""What a token verifier makes of a token, as one comparable value: the principal, or the refusal's words.

The differential token tests (the libsodium signature against PyJWT's own EdDSA, the hand-checked claims against
PyJWT's decode) compare two verifiers' outcomes for the same token with it.
"""

from __future__ import annotations

from ap_runtime.access import Principal, TokenRejected, TokenVerifier


def outcome(verifier: TokenVerifier, token: str) -> Principal | str:
    """The principal ``verifier`` accepts ``token`` as, or the reason it refuses it."""
    try:
        return verifier.verify(token)
    except TokenRejected as rejected:
        return rejected.reason
