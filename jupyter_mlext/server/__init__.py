"""The jupyter_server extension: REST API over the store (and, later, the dispatcher)."""
