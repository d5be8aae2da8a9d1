"""The finance pages' questions: money in pounds, the budget's words, and how answers are checked.

Rule WEB-FORM-1 (GOV.UK error pattern): each missing or malformed answer is reported against its field in
plain English, and nothing is sent to the finance service until every answer is valid. The service still
decides every rule of the money (a virement past its line, a signature by the same person): its refusals come
back against the field they concern (``RULE_FIELDS``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ap_contracts.events.finance import AllocationMethod, BudgetCategory, FundingSource
from ap_web.question_pages import Answers, Asking
from ap_web.refusals import FieldError

#: The words shown for each of the service's values.
CATEGORY_WORDS = {
    BudgetCategory.STAFFING: "Staffing", BudgetCategory.RESOURCES: "Resources",
    BudgetCategory.TRAINING_CPD: "Training and CPD", BudgetCategory.PREMISES: "Premises",
    BudgetCategory.TRANSPORT: "Transport", BudgetCategory.EXTERNAL_SERVICES: "External services",
    BudgetCategory.CONTINGENCY: "Contingency", BudgetCategory.OTHER: "Other",
}
SOURCE_WORDS = {FundingSource.DSG_ALLOCATION: "DSG allocation", FundingSource.TOP_UP: "Top-up",
                FundingSource.CARRY_FORWARD: "Carry forward"}
METHOD_WORDS = {AllocationMethod.NEEDS_BASED: "By need", AllocationMethod.EQUITY_BASED: "Equal shares",
                AllocationMethod.STRATEGIC_PLAN: "All to the host school's strategic plan",
                AllocationMethod.COMBINATION: "A combination of the three"}

#: Where a refusal of the finance service belongs on a question page.
RULE_FIELDS = {
    "virement.between_lines": "to_category",
    "virement.within_line_budget": "amount",
    "financial_year.closed_to_entries": "amount",
    "surplus.available": "amount",
    "surplus.allocation_within_balance": "amount",
    "allocation.specified": "method",
    "allocation.shares_sum": "method",
    "allocation.recomputable": "method",
    "financial_year.date_in_year": "closed_on",
}

_POUNDS = re.compile(r"^\d+(\.\d{1,2})?$")


def words(value: object, vocabulary: Mapping[Any, str]) -> str:
    """A value of the service in words (the value itself when the vocabulary does not know it)."""
    return vocabulary.get(str(value), str(value).replace("_", " ").capitalize())


def pounds(pence: object) -> str:
    """Pence as GOV.UK writes money: £1,234.56 (a negative amount with a minus sign)."""
    amount = int(str(pence))
    sign = "-" if amount < 0 else ""
    whole, part = divmod(abs(amount), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def pence_of(answer: str) -> int | None:
    """An amount typed in pounds (``1,250``, ``£1,250.50``) in pence, or None when it is not an amount."""
    cleaned = answer.strip().replace(",", "").removeprefix("£").strip()
    if not _POUNDS.match(cleaned):
        return None
    try:
        return int(Decimal(cleaned) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None


def amount_error(answers: Mapping[str, Any], name: str = "amount") -> FieldError | None:
    pence = pence_of(str(answers.get(name, "")))
    if pence is None:
        return FieldError(name, "Enter the amount in pounds, for example 1250 or 1250.50")
    if pence <= 0:
        return FieldError(name, "The amount must be more than £0")
    return None


def choice_items(vocabulary: Mapping[Any, str], selected: str) -> list[dict[str, Any]]:
    """A vocabulary as GOV.UK radios or select items, the chosen one marked."""
    return [{"value": str(value), "text": text, "checked": str(value) == selected, "selected": str(value) == selected}
            for value, text in vocabulary.items()]


def check_virement(answers: Mapping[str, Any]) -> list[FieldError]:
    """Every problem with a virement's answers, in page order (empty when it may be sent)."""
    errors: list[FieldError] = []
    for name, label in (("from_category", "the line to move budget from"), ("to_category", "the line to move it to")):
        if answers.get(name) not in CATEGORY_WORDS:
            errors.append(FieldError(name, f"Select {label}"))
    if answers.get("from_category") and answers.get("from_category") == answers.get("to_category"):
        errors.append(FieldError("to_category", "Select a different line from the one the budget moves from"))
    if answers.get("funding_source") not in SOURCE_WORDS:
        errors.append(FieldError("funding_source", "Select the funding source"))
    problem = amount_error(answers)
    if problem:
        errors.append(problem)
    if not str(answers.get("reason", "")).strip():
        errors.append(FieldError("reason", "Enter why the budget is moving"))
    return errors


def virement_body(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The finance service's RequestVirement body from checked answers (ids chosen once per draft)."""
    return {"command_id": answers["command_id"], "virement_id": answers["virement_id"],
            "from_category": answers["from_category"], "to_category": answers["to_category"],
            "funding_source": answers["funding_source"], "amount_pence": pence_of(str(answers["amount"])),
            "reason": str(answers["reason"]).strip()}


#: The service's fields the pages ask under another name (``field_named``): an amount is asked in pounds.
AMOUNT = {"amount_pence": "amount"}


def command_id_of(raw: object) -> str:
    """The form's command id (chosen when its page was shown, so a form sent twice is one command), or a new one."""
    try:
        return str(uuid.UUID(str(raw)))
    except ValueError:
        return str(uuid.uuid4())


async def shown_with_command_id(_asking: Asking, _draft: Answers | None) -> Answers:
    """A one-button form as first shown: the command id it will send, chosen now (``command_id_of``)."""
    return {"command_id": str(uuid.uuid4())}


def with_command_id(_asking: Asking, answers: Answers) -> Answers:
    """The posted answers with the form's command id as the service takes it: the one shown, or a new one."""
    return {**answers, "command_id": command_id_of(answers.get("command_id"))}
