"""A small fictional news site for `make demo`: invented articles, real outlet domains."""
