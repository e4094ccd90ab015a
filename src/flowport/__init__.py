"""Flowport: a self-hosted BPMN 2.0 workflow server."""

__version__ = "0.1.0"
