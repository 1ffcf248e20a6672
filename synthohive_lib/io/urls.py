"""Connection targets: resolving them from the environment and describing them safely.

Credentials belong in the environment, not in config files or logs. A target can therefore be
written as ``env:VARNAME`` or ``${VARNAME}`` and is resolved here; and every place that prints
a target (error messages, ``repr``, structlog events, Dagster metadata) goes through
:func:`redact_url` so that a password can never leak, whatever the URL looks like.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote

import sqlalchemy as sa

from synthohive_lib.errors import ConfigError

REDACTED = "***"

_ENV_PATTERNS = (
    re.compile(r"^env:(?P<name>[A-Za-z_][A-Za-z0-9_]*)$"),
    re.compile(r"^\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}$"),
)
# scheme://user:password@host, the password running to the LAST "@": an unescaped "@" in a
# password ("p@ss") makes SQLAlchemy split it there and show the rest as part of the host, so
# the password is taken greedily (over-redacting an "@" in a query string is the safe error)
_USERINFO = re.compile(r"^(?P<head>[^/@\s]*//[^:/@?#\s]*):(?P<pw>.*)@(?P<rest>[^@]*)$", re.DOTALL)
# ?password=...&  or  ;pwd=...  style parameters
_SECRET_PARAMS = re.compile(
    r"(?P<key>(?:password|passwd|pwd|secret|token|access_token|private_key|private_key_passphrase"
    r"|credentials(?:_base64)?|api_key)=)(?P<value>[^&;#]*)",
    re.IGNORECASE,
)
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


def resolve_target(target: str | os.PathLike[str]) -> str | Path:
    """Expand ``env:VAR`` / ``${VAR}`` targets; return URLs as ``str`` and paths as ``Path``.

    Raises :class:`ConfigError` (naming the variable, never its value) when the variable is
    unset or empty, so a missing secret fails at startup with a clear fix.
    """
    if isinstance(target, os.PathLike):
        return Path(target)
    text = target.strip()
    name = env_variable(text)
    if name is not None:
        value = os.environ.get(name, "").strip()
        if not value:
            raise ConfigError(
                f"environment variable {name} (named by the target {text!r}) is not set",
                fix=f"export {name}=<database URL or path> before running",
            )
        text = value
    return text if is_url(text) else Path(text).expanduser()


def env_variable(target: str) -> str | None:
    """The variable named by an ``env:VAR`` / ``${VAR}`` target, None for any other target."""
    text = target.strip()
    for pattern in _ENV_PATTERNS:
        match = pattern.match(text)
        if match:
            return match.group("name")
    return None


def is_url(target: str | os.PathLike[str]) -> bool:
    """True for ``scheme://...`` database URLs (``sqlite:///file.db`` included)."""
    return isinstance(target, str) and bool(_URL_SCHEME.match(target))


def redact_url(url: str | sa.URL) -> str:
    """The URL with its password (and secret-looking query parameters) replaced by ``***``.

    Text URLs are redacted by pattern, not by parsing, because the one time a URL is malformed
    (an unescaped ``@`` in the password, a bad port) is exactly the time it ends up in an error
    message, and a parser then puts part of the password into the host.
    """
    if isinstance(url, sa.URL):
        text = url.render_as_string(hide_password=True)  # password -> ***
    else:
        text = _USERINFO.sub(lambda m: f"{m.group('head')}:{REDACTED}@{m.group('rest')}", url)
    return _SECRET_PARAMS.sub(lambda m: f"{m.group('key')}{REDACTED}", text)


def url_password(url: str) -> list[str]:
    """The password of a URL as written and as percent-decoded (empty: none), for scrubbing.

    Read the same greedy way :func:`redact_url` hides it, so what one hides the other finds.
    """
    match = _USERINFO.match(url.strip())
    if match is None or not match.group("pw"):
        return []
    raw = match.group("pw")
    return list(dict.fromkeys([raw, unquote(raw)]))


def describe_target(target: str | os.PathLike[str] | sa.URL) -> str:
    """A one-line, credential-free description of a target, for messages and metadata.

    ``env:VAR`` targets are described by the variable name, without resolving them.
    """
    if isinstance(target, sa.URL):
        return redact_url(target)
    if isinstance(target, os.PathLike):
        return str(Path(target))
    text = target.strip()
    if env_variable(text) is not None:
        return text
    return redact_url(text) if is_url(text) else text


def url_location(url: sa.URL) -> str:
    """Where a database URL points, as words: driver, host, port and database, no secret."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite file {url.database or ':memory:'} (driver {url.drivername})"
    host = url.host or "localhost"
    port = f":{url.port}" if url.port else ""
    return f"database {url.database!r} on {host}{port} (driver {url.drivername})"
