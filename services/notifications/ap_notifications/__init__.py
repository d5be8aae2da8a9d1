"""Notifications: alerts to the people each event concerns, and the safeguarding file transfer duty.

``domain/`` holds every rule (who is told what, thresholds in force, school-day deadlines) as pure
functions; ``application/`` records ``NotificationSent`` and the transfer events through the
idempotent command executor and hands alerts to a delivery adapter; ``adapters/`` is the only I/O.
"""
