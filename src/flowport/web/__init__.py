"""The web console (an edge, like api/ and compat/)."""
