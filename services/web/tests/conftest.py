"""The web service's browser fixtures (``ap_testing.web``): the platform, chromium and ``check_page``."""

from ap_testing.web import browser, check_page, web_platform

__all__ = ["browser", "check_page", "web_platform"]
