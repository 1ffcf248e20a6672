"""Keyed hashing (HMAC-SHA256): pseudonyms that stay stable so joins survive, and that
nobody can reverse by hashing a list of likely names or e-mails.

A plain SHA-256 of an e-mail is reversible in practice (hash every address in a leak and look
the digest up), so :func:`hash_key` refuses to run without a key rather than fall back to an
unsalted hash. The key comes from an environment variable (``SYNTHOHIVE_HASH_KEY`` unless the
column names another) and is never written to a plan, a log or an error message. The same key
gives the same digest in every process and on every machine, so a hashed customer e-mail in
one table still joins with the same hashed e-mail in another, today and in next month's run.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping

import pandas as pd

from synthohive_lib.errors import MissingHashKeyError

#: Shortest key accepted: a short key is guessable and then the digests are reversible.
MIN_KEY_BYTES = 16


def hash_key(
    env_var: str,
    *,
    table: str | None = None,
    column: str | None = None,
    env: Mapping[str, str] | None = None,
) -> bytes:
    """The HMAC key from ``env_var`` (in ``env``, default ``os.environ``); typed error if unset.

    The key's value is never put in the error; only the variable's name is.
    """
    source = os.environ if env is None else env
    key = source.get(env_var, "")
    if not key:
        raise MissingHashKeyError(
            f"the hash action needs a secret key in the environment variable {env_var}, "
            "which is not set; refusing to hash without a key (unsalted hashes of names and "
            "e-mails are reversible)",
            table=table,
            column=column,
            fix=f"export {env_var}=<a random secret of at least {MIN_KEY_BYTES} bytes, e.g. "
            "from `python -c 'import secrets; print(secrets.token_hex(32))'`>, and keep it "
            "the same across runs so hashed keys still join",
        )
    raw = key.encode("utf-8")
    if len(raw) < MIN_KEY_BYTES:
        raise MissingHashKeyError(
            f"the key in {env_var} is shorter than {MIN_KEY_BYTES} bytes",
            table=table,
            column=column,
            fix="use a longer random key (secrets.token_hex(32))",
        )
    return raw


def hmac_hex(value: str, key: bytes) -> str:
    """HMAC-SHA256 of one value's UTF-8 text, as 64 lower-case hex digits."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def hash_values(values: pd.Series, key: bytes) -> pd.Series:
    """HMAC every value (as text), computed once per distinct value; nulls stay null.

    Numbers are hashed by their text (``42``, not ``42.0``) so an integer key read as float
    because of nulls still gives the same digest as elsewhere.
    """
    present = values.dropna()
    out = values.astype(object).copy()
    if present.empty:
        return out
    if pd.api.types.is_float_dtype(present.dtype) and (present == present.round()).all():
        text = present.astype("int64").astype(str)
    else:
        text = present.astype(str)
    digests = {v: hmac_hex(v, key) for v in text.unique()}  # per distinct value: hashlib
    out[present.index] = text.map(digests)
    return out
