"""The report: Rasa events → one record per conversation → per-day summaries → the figures of a period."""
