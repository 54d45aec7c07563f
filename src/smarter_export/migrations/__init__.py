"""Alembic migrations of the firm schema and the service's own tables."""
