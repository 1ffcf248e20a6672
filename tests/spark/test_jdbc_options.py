"""JDBC options are validated and table names quoted per dialect (no Spark needed)."""

from __future__ import annotations

import pytest

from synthohive_lib.errors import ConnectorError, UnsafeIdentifierError
from synthohive_lib.spark.jdbc import jdbc_source, redact_jdbc_url


def test_table_names_are_quoted_per_dialect() -> None:
    pg = jdbc_source("jdbc:postgresql://db:5432/shop", 'Order "x"; DROP', db_schema="sales")
    assert pg.dbtable == '"sales"."Order ""x""; DROP"'
    my = jdbc_source("jdbc:mysql://db/shop", "Order`s")
    assert my.dbtable == "`Order``s`"
    assert jdbc_source("jdbc:sqlite:/tmp/x.db", "t").driver == "org.sqlite.JDBC"


def test_sql_carrying_and_unknown_options_are_refused() -> None:
    with pytest.raises(ConnectorError, match="query"):
        jdbc_source("jdbc:postgresql://db/shop", "t", options={"query": "select 1"})
    with pytest.raises(ConnectorError, match="sessionInitStatement"):
        jdbc_source("jdbc:postgresql://db/shop", "t",
                    options={"sessionInitStatement": "drop table t"})
    with pytest.raises(ConnectorError, match="unknown JDBC option"):
        jdbc_source("jdbc:postgresql://db/shop", "t", options={"bogus": 1})
    with pytest.raises(ConnectorError, match="lowerBound"):
        jdbc_source("jdbc:postgresql://db/shop", "t", options={"partitionColumn": "id"})


def test_bad_urls_and_names() -> None:
    with pytest.raises(ConnectorError, match="jdbc:"):
        jdbc_source("postgresql://db/shop", "t")
    with pytest.raises(ConnectorError, match="not supported"):
        jdbc_source("jdbc:weird://db/shop", "t")
    with pytest.raises(UnsafeIdentifierError):
        jdbc_source("jdbc:postgresql://db/shop", "x" * 64)
    with pytest.raises(UnsafeIdentifierError):
        jdbc_source("jdbc:postgresql://db/shop", "")


def test_credentials_from_env_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SH_PW", "s3cret")
    src = jdbc_source("jdbc:postgresql://db/shop?password=hunter2", "t", user_env="SH_PW",
                      password_env="SH_PW")
    assert src.options["password"] == "s3cret"
    assert "s3cret" not in repr(src) and "hunter2" not in repr(src)
    assert "hunter2" not in src.describe()
    assert redact_jdbc_url("jdbc:x://h/db;password=abc;user=u") == "jdbc:x://h/db;password=***;user=u"
    with pytest.raises(ConnectorError, match="NOT_SET_VAR"):
        jdbc_source("jdbc:postgresql://db/shop", "t", password_env="NOT_SET_VAR")
