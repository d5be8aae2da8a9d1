"""Personal-data protection: per-pupil keys, field encryption, retention, suppression, subject access.

Public API (import from the submodules named here):
- ``masterkeys.MasterKeyRing``: operator master keys (``from_env``), ``generate_master_key``.
- ``keystore.KeyStore``: per-subject data keys in their own database; crypto-shredding; rotation.
- ``codec.PersonalDataCodec``: seal/reveal personal event fields (the event store's codec).
- ``factory.codec_from_env`` / ``keystore_from_env``: the wiring a service process uses.
- ``retention``: policy as data, ``decide_retention`` (pure), ``run_retention`` (job).
- ``suppression``: ``suppress_table``, ``suppress_count``, ``suppress_rate`` for published figures.
- ``subject_access``: ``build_subject_access_document``, ``render_subject_access_html``.
"""

from ap_runtime.privacy.codec import PersonalDataCodec, SealedPayload
from ap_runtime.privacy.errors import SubjectErased, UnknownSubjectKey
from ap_runtime.privacy.keystore import KeyStore
from ap_runtime.privacy.masterkeys import MasterKeyRing

__all__ = ["KeyStore", "MasterKeyRing", "PersonalDataCodec", "SealedPayload", "SubjectErased", "UnknownSubjectKey"]
