"""The Python surface: runs and logging (run.py), the model registry (models.py), endpoints (serving.py) and
pipelines (pipelines.py). `jupyter_mlext/__init__.py` exposes their public names; context.py holds what this
process shares between them (the open workspaces, the active runs, who the user is)."""
