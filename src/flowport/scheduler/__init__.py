"""Flowport."""
