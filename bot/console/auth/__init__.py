"""Operator accounts (hashed passwords), server-side sessions with CSRF tokens, login throttling and the audit log."""
