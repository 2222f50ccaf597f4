"""Running submitted scripts: snapshots, the per-run supervisor, compute backends and the dispatcher."""
