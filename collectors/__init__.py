"""Collectors: turn source URLs into bytes, and bytes into entries."""
