"""Errors of personal-data protection, each named after the rule it enforces."""

from __future__ import annotations


class SubjectErased(LookupError):
    """The pupil's data key was destroyed: their personal data no longer exists anywhere readable."""

    def __init__(self, subject: str) -> None:
        super().__init__(f"personal data of subject {subject!r} has been erased")
        self.subject = subject


class UnknownSubjectKey(LookupError):
    """Sealed data names a subject this key store never held: the wrong key database is configured."""

    def __init__(self, subject: str) -> None:
        super().__init__(f"no data key was ever created for subject {subject!r}")
        self.subject = subject


class PersonalFieldsWithoutSubject(TypeError):
    """An event holds personal values but names no pupil whose key could encrypt them (a contract bug)."""


class UnsealedPersonalField(ValueError):
    """A stored payload holds a personal field in clear: it was written without the codec."""


class SealedValueRejected(ValueError):
    """A sealed value does not authenticate for this subject, field and event type (moved or altered)."""


class MasterKeyConfigError(ValueError):
    """The operator-supplied master keys are malformed (messages never include key material)."""


class MasterKeyMissing(LookupError):
    """A wrapped key names a master key id absent from the ring: keep retired keys until rotation ends."""

    def __init__(self, key_id: str) -> None:
        super().__init__(f"master key {key_id!r} is not in the configured ring")
        self.key_id = key_id
