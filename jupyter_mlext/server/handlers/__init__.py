"""The REST handlers, one module per area; routes.py maps them to their paths."""
