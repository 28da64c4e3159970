"""Environment parsing that refuses nonsense.

Every setting read from the environment goes through :data:`env`. A boolean that is
neither true nor false, or a required secret that is missing, stops start-up with a
message naming the variable. Secrets may also come from ``<NAME>_FILE`` (Docker secrets).
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on", "y", "t"}
FALSE = {"0", "false", "no", "off", "n", "f", ""}


class StrictEnv(environ.Env):
    def bool(self, var, default=environ.Env.NOTSET):  # noqa: A003 - environ's API name
        raw = os.environ.get(var)
        if raw is None:
            if default is environ.Env.NOTSET:
                raise ImproperlyConfigured(f"Set the {var} environment variable (true or false).")
            return default
        value = raw.strip().lower()
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        raise ImproperlyConfigured(
            f"{var}={raw!r} is not a boolean; use one of: true, false, 1, 0, yes, no, on, off."
        )

    def secret(self, var, default=environ.Env.NOTSET):
        """Read ``var`` or the file named by ``var_FILE``; no default means required."""
        path = os.environ.get(f"{var}_FILE")
        if path:
            try:
                return Path(path).read_text().strip()
            except OSError as exc:
                raise ImproperlyConfigured(f"{var}_FILE={path!r} cannot be read: {exc}") from exc
        value = os.environ.get(var)
        if value:
            return value
        if default is environ.Env.NOTSET:
            raise ImproperlyConfigured(f"Set the {var} environment variable (or {var}_FILE).")
        return default


env = StrictEnv()
