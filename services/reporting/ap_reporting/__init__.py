"""Reporting: the weekly home-school report, the termly partnership report and the local
authority's annual figures and strategy data, built from incidents events.

Reports that leave the organisation responsible for the pupils carry counts only, every table
through ``ap_runtime.privacy.suppression.suppress_table``; the weekly report stays with the home
school and shows exact counts by pseudonymous pupil reference.
"""
