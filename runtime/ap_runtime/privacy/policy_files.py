"""The privacy policy files (retention periods, subject-access redaction): read, parsed and checked one way.

Rule served: bad input gets a clear error saying what is wrong and where. A policy file that cannot
be read, is not YAML or does not match its model raises ``PolicyFileError`` naming the file, so an
operator's local policy (``--policy-file``) that is wrong stops the job before it decides anything.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

PACKAGE = "ap_runtime.privacy"

M = TypeVar("M", bound=BaseModel)


class PolicyFileError(ValueError):
    """A privacy policy file that cannot be used; the message starts with the file's name."""


def load_policy_file(model: type[M], path: Path | None, packaged: str) -> M:
    """``model`` from the YAML file ``path``, or from the file named ``packaged`` shipped in this package."""
    where = str(path) if path is not None else f"{PACKAGE}/{packaged}"
    try:
        source = path if path is not None else files(PACKAGE).joinpath(packaged)
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyFileError(f"{where}: cannot read it ({exc.strerror or exc})") from exc
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyFileError(f"{where}: not YAML ({exc})") from exc
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise PolicyFileError(f"{where}: {exc}") from exc
