"""Camunda 8.5 Tasklist facade: REST v1, GraphQL and cookie login against a live server."""
