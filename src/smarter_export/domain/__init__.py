"""The firm's tables (DOMAIN.md) and how to reach the database that holds them."""
