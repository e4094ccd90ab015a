"""OptimaJet Workflow Server's Workflow API (``/workflowapi``) over Flowport's services.

``routing`` (the calling convention and the envelope), ``params`` (parameters from the query, a
form or a JSON body, and the ``token`` parameter), ``mapping`` (Flowport views in OptimaJet's
shapes), ``schemas`` (the OpenAPI description), and the routers: ``instances_router``
(instances, commands, states, parameters, folders) and ``server_router`` (schemes, users, timers).
"""
