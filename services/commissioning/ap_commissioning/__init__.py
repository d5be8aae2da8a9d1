"""The commissioning service (issue 13): the LA's and commissioners' agreements with providers, their reviews,
the provider self-audit and the panels. It holds no personal data: a child is named only by ``pupil_ref``."""
