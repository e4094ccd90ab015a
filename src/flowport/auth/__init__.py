"""The built-in OAuth 2.0 / OpenID Connect token service and request authentication.

Everything here is framework-free except ``asgi.py``, the thin adapter the API edges use.
"""
