"""Every command model under one name, for code that builds or matches commands of several themes (the
application's access context, tests, the scripted day): ``from ap_incidents.domain import command_models as c``.

Nothing is listed per command: each theme module's public names come in whole (its command models, and the
bases they share), so a command added to a theme is here with no edit. A new theme module adds one line, as
in ``domain/declarations.py``'s ``THEMES``; ``test_incidents_declarations.py`` checks that every declared
model is reachable here.
"""

from ap_incidents.domain.commands import *  # noqa: F403
from ap_incidents.domain.organisations import *  # noqa: F403
from ap_incidents.domain.staff_register import *  # noqa: F403
from ap_incidents.domain.themes.corrections import *  # noqa: F403
from ap_incidents.domain.themes.daily import *  # noqa: F403
from ap_incidents.domain.themes.eligibility import *  # noqa: F403
from ap_incidents.domain.themes.engagement import *  # noqa: F403
from ap_incidents.domain.themes.exclusion_proposals import *  # noqa: F403
from ap_incidents.domain.themes.exclusions import *  # noqa: F403
from ap_incidents.domain.themes.placement_end import *  # noqa: F403
from ap_incidents.domain.themes.placement_start import *  # noqa: F403
from ap_incidents.domain.themes.privacy import *  # noqa: F403
from ap_incidents.domain.themes.referral import *  # noqa: F403
from ap_incidents.domain.themes.registration import *  # noqa: F403
from ap_incidents.domain.themes.reviews import *  # noqa: F403
from ap_incidents.domain.themes.rewards import *  # noqa: F403
from ap_incidents.domain.themes.safety import *  # noqa: F403
from ap_incidents.domain.themes.searches import *  # noqa: F403
from ap_incidents.domain.themes.sent_home import *  # noqa: F403
from ap_incidents.domain.themes.transfers import *  # noqa: F403
