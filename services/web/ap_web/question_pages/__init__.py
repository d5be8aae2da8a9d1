"""One GOV.UK question page, declared once: question -> check your answers -> send -> confirmation.

A journey declares a ``QuestionPage`` (its addresses, its three templates, how answers are read and checked,
the service call, the confirmation) and ``add_question_page(router, page)`` makes its routes. The routes keep
the platform's rules in one place, so a new question page is a declaration and not a copy:

- WEB-CSRF-1: every form is a ``CheckedForm``, checked before anything else;
- WEB-FORM-1: each problem is shown against its field and nothing is sent until every answer is valid;
- WEB-DRAFT-1: the answers wait in the server's draft store (``ap_web.drafts``), under the page's draft name and
  only for the asking they belong to (``Scope.owner``, e.g. the pupil in the address); a check page without one
  goes back to the question;
- refusals (``ap_web.refusals``): 401/403/404 of the service is the not-found page naming nothing, a 5xx the
  service-problem page, a rule's refusal is shown against its field in the service's words, nothing stored.

A one-page form (no check page: the act is one decision, or its answer is shown and kept nowhere) is the same
declaration with ``check_path=None``: its question and its send (question -> send -> confirmation, or the
refusal against its field); nothing is drafted. One asked on each row of a list (approve this virement) posts to
the row's own address, ``send_path``; one whose result is another page's (the year end, once closed) goes there
(``redirect_after_send``).

The package, by concern: ``declaration`` (what a journey declares: the page, its scope, the asking),
``refusal_fields`` (where a service's refusal lands on the page), ``steps`` (rendering and the form's handling:
show, take, check, send), ``routes`` (the FastAPI routes of a declared page).
"""

from ap_web.question_pages.declaration import Answers, Asking, QuestionPage, Scope, no_scope, only_for, pupil_scope
from ap_web.question_pages.refusal_fields import Refusals, field_named, sentences
from ap_web.question_pages.routes import add_question_page
from ap_web.question_pages.steps import posted_answers

__all__ = ["Answers", "Asking", "QuestionPage", "Refusals", "Scope", "add_question_page", "field_named", "no_scope",
           "only_for", "posted_answers", "pupil_scope", "sentences"]
