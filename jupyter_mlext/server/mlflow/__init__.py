"""The MLflow-compatible REST API under /mlext/mlflow: the stock `mlflow` client's tracking URI (routes.py)."""
