"""The export's life: run the engine, and (with the service) create, retry and expire jobs."""
