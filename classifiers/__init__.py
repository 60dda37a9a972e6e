"""Pure classifiers over plain data: no database, no network."""
