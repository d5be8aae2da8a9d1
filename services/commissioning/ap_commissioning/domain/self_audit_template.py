"""The provider self-audit's template as versioned data: the toolkit's sections and statements (seed 000).

Rule served (issue 13): "the statements of the toolkit as a versioned template". Each rating and
moderation names its statement by id and each audit records the template version it was asked against,
so a later edition of the toolkit is a new ``SelfAuditTemplate`` beside this one and years rated
against different versions stay readable. Statement ids stay stable across versions when the wording
does not change its meaning, which is what makes a trend per statement across years meaningful.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class AuditStatement:
    statement_id: str
    section: str
    text: str


@dataclass(frozen=True, slots=True)
class SelfAuditTemplate:
    version: str
    title: str
    statements: tuple[AuditStatement, ...]

    def statement(self, statement_id: str) -> AuditStatement | None:
        return next((s for s in self.statements if s.statement_id == statement_id), None)


_BEHAVIOUR = "Behaviour policies"
_SEED_000_STATEMENTS = (
    "Good behaviour is the norm and disruptive behaviours are the exception?",
    "All staff respond consistently to behaviour infringements?",
    "There are clear thresholds for levels of response to behaviour infringements, understood by all staff?",
    "Learners understand what is expected of them in their relationship with other learners at the provision?",
    "A range of actions that the AP takes to deal with challenging behaviour are clearly set out. These actions, "
    "including any sanctions used, are in line with the best practice?",
    "The AP uses its follow up actions and sanctions to focus on securing a change for the better in the "
    "behaviour of the learner?",
    "Behaviour logs are used to track behavioural issues at the AP and are used to evaluate the provision as "
    "a whole?",
    "Behaviour tracking ensures that the AP reports on improvements or declines in learners' behaviour?",
    "The AP makes clear the threshold for behaviours that will be reported to the commissioning body. This has "
    "been agreed by both parties?",
    "The policy is in line with current DFE statutory guidance especially in respect to the law related to "
    "exclusion?",
    "All staff are aware of the Behaviour Policy and understand its underlying principles and purpose?",
    "Staff model good behaviours and this is in evidence at the AP?",
    "Learners are informed of the behaviour policy when they first arrive, and its messages are reinforced "
    "over time?",
    "The policy emphasises positive behaviours - how learners are expected to behave - as well as pointing out "
    "what is unacceptable?",
    "Learners show that they understand the behaviour policy?",
    "The AP ensures that it has identified in individuals the triggers of misbehaviour and puts in place "
    "support to prevent these?",
    "The AP ensures that it knows individuals' likely barriers to learning that stem from SEND and that might "
    "therefore be an underlying cause of misbehaviour?",
    "Staff have a good understanding of behavioural issues that may arise as a result of a learner's SEND? "
    "e.g. ASD, attachment issues, cognition.",
    "The AP engages with learners to assist them in understanding their own behaviours and in improving "
    "self-regulation.",
    "The AP is self-reflective and committed to continuous improvement in respect of behaviour. Serious and /or "
    "persistent behaviour issues are seen as an opportunity to reflect on the effectiveness of the AP's "
    "behaviour strategies and the appropriateness of curricula for individual learners.",
)

BEHAVIOUR_POLICIES_2026_1 = SelfAuditTemplate(
    version="ap-toolkit-behaviour-2026.1",
    title="Supporting Alternative Providers: behaviour policies self-audit",
    statements=tuple(
        AuditStatement(f"behaviour-{n:02d}", _BEHAVIOUR, text) for n, text in enumerate(_SEED_000_STATEMENTS, 1)
    ),
)
"""The seed's audit tool (section 2 of the behaviour policies toolkit): twenty statements, one section."""

TEMPLATES: Mapping[str, SelfAuditTemplate] = MappingProxyType(
    {template.version: template for template in (BEHAVIOUR_POLICIES_2026_1,)})
CURRENT_TEMPLATE_VERSION = BEHAVIOUR_POLICIES_2026_1.version
