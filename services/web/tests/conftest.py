"""The web service's browser fixtures (``ap_testing.web``): the platform, chromium and ``check_page``;
the issue 16 platform (``ap_testing.web_w2``)."""

from ap_testing.web import browser, check_page, web_platform
from ap_testing.web_w2 import w2

__all__ = ["browser", "check_page", "w2", "web_platform"]
