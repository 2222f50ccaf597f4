"""Who makes a request, as runs, registry changes and pipeline runs record it.

Jupyter's own identity providers (token and password) serve one person, the server's owner, and do not name
them: a token-authenticated request gets a random "Anonymous …" user, a new one for every client without the
login cookie. Recording those would show one person as dozens of users, and differently from what the SDK
records (the operating-system account, sdk/context.py). So under those providers the user is the account the
server runs as; any other provider (JupyterHub's, or one configured with `ServerApp.identity_provider_class`)
names real users, and its username is used as it is.
"""

from __future__ import annotations

import functools
import getpass
from typing import Any

from jupyter_server.auth.identity import IdentityProvider, PasswordIdentityProvider

_SINGLE_USER_PROVIDERS = (IdentityProvider, PasswordIdentityProvider)


@functools.cache
def server_account() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def request_user(identity_provider: Any, current_user: Any) -> str | None:
    """The user to record for a request authenticated by `identity_provider` as `current_user`."""
    if current_user is None:
        return None
    if type(identity_provider) in _SINGLE_USER_PROVIDERS:
        return server_account()
    return getattr(current_user, "username", None)
