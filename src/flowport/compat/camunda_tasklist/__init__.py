"""Camunda 8.5 Tasklist: its REST API (``/v1/tasks``), its GraphQL API (``/graphql``) and the
Operate-style process definition search, over Flowport's user tasks.

Cookie login is the native ``POST /api/login`` (it already takes Tasklist's query parameters).
"""
