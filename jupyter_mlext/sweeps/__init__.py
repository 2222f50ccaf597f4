"""Hyperparameter sweeps: a search space, a sampler, a termination policy and a driver that runs trials as
child runs on a compute target (see service.py for the model)."""
