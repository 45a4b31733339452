"""Deterministic demo data for the SQL stubs (`python -m bot seed`)."""
