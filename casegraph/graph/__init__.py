"""The graph model, its schema and the stores that keep it."""
