"""OptimaJet Workflow Server's Workflow API, replayed as its clients send it."""
