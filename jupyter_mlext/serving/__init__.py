"""Online endpoints (a router process and one scoring process per deployment) and batch scoring jobs.

Everything that starts or stops a process is in `service.py` and is called the same way from the SDK, the CLI
and the REST API, with or without a Jupyter server running: the processes run in their own sessions and outlive
whoever started them; the workspace records them so that a restarted server re-attaches to them.
"""
