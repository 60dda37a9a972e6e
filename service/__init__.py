"""Orchestration: settings, CLI, API, scheduler and the collection pipeline."""
