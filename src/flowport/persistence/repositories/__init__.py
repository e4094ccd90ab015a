"""Repositories: the only modules that build SQL. They never commit; services own transactions."""
