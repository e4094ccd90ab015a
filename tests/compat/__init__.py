"""Contract suites of the product-compatible APIs, against a real server process."""
