"""ap_web: the platform's server-rendered web service in the GOV.UK style (issue 16)."""
