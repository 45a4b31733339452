"""The operations console: the service's figures from the conversations themselves, and conversation review.

`report/` turns Rasa's stored events into per-day summaries (off the request path, incrementally) and the
report's figures; `web/` serves the report and the review behind `auth/` (accounts, sessions, CSRF, audit).
"""
