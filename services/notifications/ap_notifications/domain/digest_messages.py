"""What a daily digest says: one line per alert it gathers, each as its own message would name it.

Each line repeats only what the alert's own message (``domain/messages.py``) already gave the same recipient:
its subject, the pupil's pseudonymous reference and the link; never narrative or names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from ap_notifications.domain.messages import RenderedMessage


@dataclass(frozen=True, slots=True)
class DigestLine:
    subject: str
    pupil_ref: UUID | None  # None: an alert about no pupil (an agreement's overdue review)
    link_path: str

    def text(self) -> str:
        about = "" if self.pupil_ref is None else f" (pupil reference {self.pupil_ref})"
        return f"- {self.subject}{about}: {self.link_path}"


def render_digest(lines: Sequence[DigestLine]) -> RenderedMessage:
    count = len(lines)
    body = [f"{count} alert{'s' if count != 1 else ''} since your last digest:"]
    body.extend(line.text() for line in lines)
    return RenderedMessage(subject=f"Daily digest: {count} alert{'s' if count != 1 else ''}", body="\n".join(body))
