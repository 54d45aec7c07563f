"""HTTP only: the FastAPI app, its routes, the data/error envelope. Decisions: jobs/service."""
