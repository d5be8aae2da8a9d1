"""Standard notes printed with every report that leaves the organisation."""

SUPPRESSION_NOTE = (
    "Counts of 1 or 2 are shown as c, with further cells hidden where a hidden count could be worked out "
    "from the totals; 0 is shown as 0; z means not applicable. Figures computed from hidden counts are hidden too."
)
PERIOD_NOTE = "Periods include their first and last day."
DAYS_NOTE = "Days lost are school days of suspension; a lunchtime suspension counts as half a day."
