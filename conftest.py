"""Root pytest configuration: the shared real-infrastructure fixtures and the hypothesis profiles.

Hypothesis profiles (issue 9: CI cannot fail by chance):

- ``ci`` (selected unless ``AP_HYPOTHESIS_PROFILE`` names another): derandomised, so every run of a
  property draws the same examples (hypothesis derives the seed from the test itself; the
  schemathesis API tests generate through hypothesis and are seeded the same way); no example
  database, so nothing a previous run found changes the next; no deadline and no too-slow health
  check, so a loaded 2-core machine cannot fail a test by timing.
- ``fuzz`` (``make fuzz``): random, more examples, failures saved to ``.hypothesis/fuzz`` and
  printed with a ``@reproduce_failure`` blob. A failure found there becomes a regular test: copy the
  falsifying example into an ``@example(...)`` on the property (or, for an API, the printed curl
  request into a plain test in the service's tests folder), see it fail, fix, commit.
"""

import os

from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

# infra: the real servers and the integration tally; levels: each test's level (unit, integration,
# e2e, fault), assigned from its markers and its fixtures (see ap_testing.levels).
pytest_plugins = ["ap_testing.levels", "ap_testing.infra"]

PROFILE_ENV = "AP_HYPOTHESIS_PROFILE"

settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz", derandomize=False, max_examples=1000, deadline=None, print_blob=True,
    database=DirectoryBasedExampleDatabase(".hypothesis/fuzz"),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get(PROFILE_ENV) or "ci")
