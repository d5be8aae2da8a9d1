"""Reporting: the weekly home-school report, the termly partnership report and the local
authority's annual figures and strategy data, built from incidents events.

Two kinds of report, kept apart:
- Inside the organisation responsible for the pupils: the weekly report stays with the home school
  and shows exact counts, for any week, by pseudonymous pupil reference (``domain.weekly``).
- Leaving it (partnership, local authority, Schools Forum, commissioners): counts only, every
  table through ``ap_runtime.privacy.suppression.suppress_table``, published only for the fixed
  periods each report offers (``domain.periods``: terms, academic years, 1 to 3 academic years),
  with figures shared between tables hidden alike and multi-year totals derived from the single
  years (``domain.published``). ``testing.attacker`` solves every allowed query for the hidden
  figures; the tests require it to recover none.
"""
