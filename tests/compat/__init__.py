"""Contract suites of the product facades: documented requests replayed against a real server."""
