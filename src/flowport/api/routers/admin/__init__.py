"""The admin API (``/api/v1/admin``): one router per resource, each guarded by its own permission."""

from __future__ import annotations

from flowport.api.routers.admin import audit, clients, environments, keys, users

__all__ = ["audit", "clients", "environments", "keys", "users"]
