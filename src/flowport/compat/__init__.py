"""Product-compatible edges: other workflow servers' APIs, spoken unchanged over Flowport's services."""
