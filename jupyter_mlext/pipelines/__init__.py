"""Pipelines: DAGs of script, notebook and cell steps, run as a parent run with a child run per step, with
unchanged steps reused; notebook export, publishing, REST triggers and cron schedules (see each module)."""

from .definition import Pipeline, Step

__all__ = ["Pipeline", "Step"]
