"""Talking to jupyter-mlext servers (and to endpoints) over HTTP: one client, pluggable transports."""

from .client import ConnectionTransport, HttpClient, Response, Transport, error_of, is_http_uri

__all__ = ["ConnectionTransport", "HttpClient", "Response", "Transport", "error_of", "is_http_uri"]
