"""SAP BTP Workflow API v1: ``/v1/workflow-*``, ``/v1/task-instances``, ``/v1/messages``.

The routers translate SAP's names and shapes to the services and back (``mapping``); errors come
out in SAP's shape (``errors``, through the route classes of ``route``); each route requires the
permission its SAP authority grants (``authorities``); ``inputs`` refuses what the database cannot store.
"""
