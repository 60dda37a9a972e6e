"""Storage: models, engine and every SQL statement of the service."""
