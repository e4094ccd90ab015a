"""Product-compatible edges: the APIs of the workflow products Flowport users come from.

Each facade translates its product's names and shapes to the services and back; it holds no
workflow, persistence or security logic of its own (see ``flowport/api/edge.py``).
"""
