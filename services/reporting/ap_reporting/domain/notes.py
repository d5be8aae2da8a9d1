"""Standard notes printed with every report that leaves the organisation."""

SUPPRESSION_NOTE = (
    "Counts of 1 or 2 are shown as c, with further cells hidden where a hidden count could be worked out "
    "from the totals or from other published figures; 0 is shown as 0, except in a row or column whose total "
    "is hidden, where a 0 is shown as c too; z means not applicable. Figures computed from hidden counts are "
    "hidden too."
)
PERIOD_NOTE = (
    "Published only for fixed periods (academic years from 1 August, terms, half terms, quarters and months "
    "of the academic year); periods include their first and last day."
)
STACKED_NOTE = "Totals over several academic years are shown only where every year's figure is shown."
DAYS_NOTE = "Days lost are school days of suspension; a lunchtime suspension counts as half a day."
PHASE_NOTE = ("Exclusions count in the phase of the excluding school as the LA recorded it with the school's roll; "
              "rates are per 100 pupils on roll; a reinstated permanent exclusion does not count; a pupil suspended "
              "more than once in a year is one pupil; exclusions from a school whose roll was not recorded count "
              "under 'not recorded', without a rate.")
