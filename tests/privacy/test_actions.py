"""Actions: mask keeps format, hash is keyed and stable, bad settings fail with typed errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from structlog.testing import capture_logs

from synthohive_lib.errors import MissingHashKeyError, PrivacyError, SchemaFileError
from synthohive_lib.privacy import anonymise, hash_key, hash_values, mask_values, parse_action
from synthohive_lib.privacy.settings import pii_settings
from synthohive_lib.schema.model import Column, PiiAction, PiiKind, PiiOptions, Table
from synthohive_lib.schema.yaml_io import dump_schema, loads_schema

from .conftest import HASH_ENV

ROOT = Path(__file__).resolve().parents[2]


def _table(*columns: Column) -> Table:
    return Table(name="people", columns=[Column(name="id", type="id"), *columns])


# --------------------------------------------------------------------------- mask


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        (PiiKind.EMAIL, "john.doe@example.com", "j***@e***.com"),
        (PiiKind.PHONE, "+1 (403) 262-3443", "+# (###) ###-####"),
        (PiiKind.POSTAL_CODE, "SW1A 1AA", "XX#X #XX"),
        (PiiKind.CREDIT_CARD, "4111-1111-1111-1111", "####-####-####-####"),
        (PiiKind.IBAN, "DE89370400440532013000", "DE####################"),
        (PiiKind.PERSON_NAME, "John Smith", "J*** S****"),
        (PiiKind.ADDRESS, "Theodor-Heuss-Straße 34", "T******-H****-S***** ##"),
    ],
)
def test_mask_keeps_format(kind: PiiKind, value: str, masked: str) -> None:
    out = mask_values(pd.Series([value, None, value]), kind)
    assert out.tolist() == [masked, None, masked]
    if kind is not PiiKind.EMAIL:
        assert len(out[0]) == len(value)


def test_mask_birth_date_keeps_year_and_representation() -> None:
    text = mask_values(
        pd.Series(["1962-02-18 00:00:00"]), PiiKind.DATE_OF_BIRTH,
        datetime_format="%Y-%m-%d %H:%M:%S",
    )  # fmt: skip
    stamps = mask_values(pd.Series(pd.to_datetime(["1973-08-29"])), PiiKind.DATE_OF_BIRTH)
    assert text.tolist() == ["1962-01-01 00:00:00"]
    assert stamps.tolist() == [pd.Timestamp("1973-01-01")]


# --------------------------------------------------------------------------- hash

_HASH_SCRIPT = """
import sys, pandas as pd
from synthohive_lib.privacy import hash_key, hash_values
key = hash_key("SYNTHOHIVE_HASH_KEY")
print(",".join(hash_values(pd.Series(["a@x.com", "b@y.org", None]), key).fillna("-")))
"""


def _hash_in_subprocess(key: str) -> str:
    env = {"SYNTHOHIVE_HASH_KEY": key, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _HASH_SCRIPT],
        env=env, capture_output=True, text=True, check=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    return done.stdout.strip()


def test_hash_is_stable_across_processes_and_keyed() -> None:
    key = HASH_ENV["SYNTHOHIVE_HASH_KEY"]
    first, second = _hash_in_subprocess(key), _hash_in_subprocess(key)
    local = hash_values(pd.Series(["a@x.com", "b@y.org", None]), key.encode()).fillna("-")
    assert first == second == ",".join(local)
    other = _hash_in_subprocess("another-key-0123456789")
    assert other.split(",")[0] != first.split(",")[0]
    assert len(first.split(",")[0]) == 64 and first.endswith(",-")


def test_hash_refuses_to_run_without_a_key() -> None:
    with pytest.raises(MissingHashKeyError) as err:
        hash_key("SYNTHOHIVE_HASH_KEY", table="people", column="email", env={})
    assert "SYNTHOHIVE_HASH_KEY" in str(err.value) and "people.email" in str(err.value)
    with pytest.raises(MissingHashKeyError):
        hash_key("SYNTHOHIVE_HASH_KEY", env={"SYNTHOHIVE_HASH_KEY": "short"})


def test_anonymise_hash_joins_across_tables_and_refuses_without_key() -> None:
    col = Column(name="email", type="text", pii=PiiKind.EMAIL, pii_action=PiiAction.HASH)
    table = _table(col)
    frame = pd.DataFrame({"id": [1, 2, 3], "email": ["a@x.com", "b@y.org", "a@x.com"]})
    out = anonymise(frame, table, env=HASH_ENV)
    assert out["email"][0] == out["email"][2] != out["email"][1]
    assert not out["email"].isin(frame["email"]).any()
    with pytest.raises(MissingHashKeyError):
        anonymise(frame, table, env={})


def test_anonymise_each_action() -> None:
    table = _table(
        Column(name="email", type="text", pii=PiiKind.EMAIL, pii_action=PiiAction.MASK),
        Column(name="phone", type="text", pii=PiiKind.PHONE, pii_action=PiiAction.DROP),
        Column(name="city", type="text", pii=PiiKind.CITY, pii_action=PiiAction.KEEP),
        Column(name="name", type="text", pii=PiiKind.PERSON_NAME,
               pii_options=PiiOptions(consistent=True)),
    )  # fmt: skip
    frame = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "email": ["ann@a.com", "bob@b.org", None, "cy@c.net"],
            "phone": ["555-1234"] * 4,
            "city": ["Oslo", "Rome", "Oslo", None],
            "name": ["Ann Lee", "Bob Ray", "Ann Lee", None],
        }
    )
    with capture_logs() as logs:
        out = anonymise(frame, table, seed=3)
    assert list(out.columns) == ["id", "email", "city", "name"]
    assert out["email"].tolist()[:2] == ["a***@a***.com", "b***@b***.org"]
    assert out["email"].isna().tolist() == [False, False, True, False]
    assert out["city"].equals(frame["city"])
    assert out["name"][0] == out["name"][2] != out["name"][1]  # consistent mapping
    assert pd.isna(out["name"][3]) and not out["name"].isin(frame["name"].dropna()).any()
    assert any(e["event"] == "privacy.keep" and e["column"] == "city" for e in logs)


# --------------------------------------------------------------------------- bad input


def test_unknown_action_is_a_typed_error_naming_the_column() -> None:
    with pytest.raises(PrivacyError) as err:
        parse_action("scramble", table="people", column="email")
    assert "people.email" in str(err.value) and "drop, mask, hash, fake, keep" in str(err.value)
    text = "name: s\nversion: 1\ntables:\n  people:\n    columns:\n" \
        "      email: {type: text, pii: email, pii_action: scramble}\n"  # fmt: skip
    with pytest.raises(SchemaFileError) as err2:
        loads_schema(text)
    assert err2.value.column == "email"


def test_unknown_locale_is_a_typed_error_naming_the_column() -> None:
    col = Column(name="name", type="text", pii=PiiKind.PERSON_NAME,
                 pii_options=PiiOptions(locale="xx_YY"))  # fmt: skip
    with pytest.raises(PrivacyError) as err:
        pii_settings(_table(col))
    assert "people.name" in str(err.value) and "xx_YY" in str(err.value)
    mapped = Column(name="name", type="text", pii=PiiKind.PERSON_NAME,
                    pii_options=PiiOptions(locale_map={"Atlantis": "at_LANTIS"}))  # fmt: skip
    with pytest.raises(PrivacyError, match="at_LANTIS"):
        pii_settings(_table(mapped))


def test_locale_from_an_unknown_column_is_refused() -> None:
    col = Column(name="name", type="text", pii=PiiKind.PERSON_NAME,
                 pii_options=PiiOptions(locale_from="Country"))  # fmt: skip
    with pytest.raises(PrivacyError) as err:
        pii_settings(_table(col))
    assert err.value.column == "name" and "Country" in str(err.value)


def test_declared_pii_column_absent_from_data_is_refused() -> None:
    table = _table(Column(name="email", type="text", pii=PiiKind.EMAIL))
    with pytest.raises(PrivacyError) as err:
        anonymise(pd.DataFrame({"id": [1]}), table)
    assert err.value.table == "people" and err.value.column == "email"


def test_pii_action_needs_a_pii_kind_and_round_trips_through_yaml() -> None:
    with pytest.raises(ValueError, match="need 'pii'"):
        Column(name="x", type="text", pii_action=PiiAction.DROP)
    col = Column(name="email", type="text", pii=PiiKind.EMAIL, pii_action=PiiAction.FAKE,
                 pii_options=PiiOptions(locale_from="country", consistent=True))  # fmt: skip
    table = _table(col, Column(name="country", type="categorical"))
    from synthohive_lib.schema.model import Schema

    schema = Schema(name="s", tables=[table])
    assert loads_schema(dump_schema(schema)) == schema
