"""Product-compatible facades: other workflow products' HTTP APIs over Flowport's services."""
