"""SQLAlchemy-backed demo implementations of the back-end interfaces (SQLite by default, PostgreSQL too)."""
