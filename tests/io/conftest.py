"""A small schema with every relational shape the writers must handle, and its data.

Region <- Store (composite PK) <- Employee (composite FK, self-reference) ; Product ;
Sale <- Employee, Product, Store (multi-parent, composite FK). Employees are listed with a
report before their manager, so a naive insert order would violate the self-reference.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from synthohive_lib.schema.model import Schema

SCHEMA = Schema.model_validate(
    {
        "name": "shop",
        "tables": [
            {
                "name": "Region",
                "columns": [
                    {"name": "region_code", "type": "id", "storage": "string", "nullable": False},
                    {"name": "name", "type": "categorical", "storage": "string"},
                ],
                "primary_key": ["region_code"],
            },
            {
                "name": "Store",
                "columns": [
                    {"name": "region_code", "type": "id", "storage": "string", "nullable": False},
                    {"name": "store_no", "type": "id", "storage": "integer", "nullable": False},
                    {"name": "opened", "type": "datetime", "storage": "date"},
                ],
                "primary_key": ["region_code", "store_no"],
                "foreign_keys": [
                    {"columns": ["region_code"], "references": "Region",
                     "referenced_columns": ["region_code"]},
                ],
            },
            {
                "name": "Employee",
                "columns": [
                    {"name": "emp_id", "type": "id", "storage": "integer", "nullable": False},
                    {"name": "manager_id", "type": "id", "storage": "integer"},
                    {"name": "region_code", "type": "id", "storage": "string"},
                    {"name": "store_no", "type": "id", "storage": "integer"},
                    {"name": "hired", "type": "datetime", "storage": "string",
                     "datetime_format": "%Y-%m-%d"},
                    {"name": "active", "type": "boolean", "storage": "boolean"},
                ],
                "primary_key": ["emp_id"],
                "foreign_keys": [
                    {"columns": ["manager_id"], "references": "Employee",
                     "referenced_columns": ["emp_id"]},
                    {"columns": ["region_code", "store_no"], "references": "Store",
                     "referenced_columns": ["region_code", "store_no"]},
                ],
            },
            {
                "name": "Product",
                "columns": [
                    {"name": "product_id", "type": "id", "storage": "integer", "nullable": False},
                    {"name": "label", "type": "text", "storage": "string"},
                    {"name": "price", "type": "float", "storage": "decimal", "decimals": 2},
                ],
                "primary_key": ["product_id"],
            },
            {
                "name": "Sale",
                "columns": [
                    {"name": "sale_id", "type": "id", "storage": "integer", "nullable": False},
                    {"name": "emp_id", "type": "id", "storage": "integer"},
                    {"name": "product_id", "type": "id", "storage": "integer"},
                    {"name": "region_code", "type": "id", "storage": "string"},
                    {"name": "store_no", "type": "id", "storage": "integer"},
                    {"name": "sold_at", "type": "datetime", "storage": "datetime"},
                    {"name": "amount", "type": "float", "storage": "float"},
                    {"name": "quantity", "type": "integer", "storage": "integer"},
                ],
                "primary_key": ["sale_id"],
                "foreign_keys": [
                    {"columns": ["emp_id"], "references": "Employee",
                     "referenced_columns": ["emp_id"]},
                    {"columns": ["product_id"], "references": "Product",
                     "referenced_columns": ["product_id"]},
                    {"columns": ["region_code", "store_no"], "references": "Store",
                     "referenced_columns": ["region_code", "store_no"]},
                ],
            },
        ],
    }
)


def shop_frames() -> dict[str, pd.DataFrame]:
    """Valid data for :data:`SCHEMA` (fresh copies each call)."""
    return {
        "Region": pd.DataFrame({"region_code": ["N", "S"], "name": ["North", None]}),
        "Store": pd.DataFrame(
            {
                "region_code": ["N", "N", "S"],
                "store_no": [1, 2, 1],
                "opened": pd.to_datetime(["2020-01-01", None, "2021-06-30"]),
            }
        ),
        "Employee": pd.DataFrame(
            {
                "emp_id": [3, 1, 2, 4],
                "manager_id": pd.array([2, None, 1, 3], dtype="Int64"),
                "region_code": ["N", "N", None, "S"],
                "store_no": pd.array([1, 2, None, 1], dtype="Int64"),
                "hired": ["2021-03-01", "2019-01-15", None, "2022-11-30"],
                "active": pd.array([True, False, None, True], dtype="boolean"),
            }
        ),
        "Product": pd.DataFrame(
            {"product_id": [10, 11], "label": ["Tea; \"green\"", "Café"], "price": [2.5, 10.99]}
        ),
        "Sale": pd.DataFrame(
            {
                "sale_id": [100, 101, 102],
                "emp_id": pd.array([3, 4, None], dtype="Int64"),
                "product_id": [10, 11, 10],
                "region_code": ["N", "S", "N"],
                "store_no": [1, 1, 2],
                "sold_at": pd.to_datetime(
                    ["2023-01-01 10:00:00.123456", "2023-01-02 11:30:00.000000", None]
                ),
                "amount": [2.5, float("nan"), 21.98],
                "quantity": pd.array([1, None, 2], dtype="Int64"),
            }
        ),
    }


@pytest.fixture
def make_frames() -> Callable[[], dict[str, pd.DataFrame]]:
    """Factory of fresh, valid frames for the shop schema (tests mutate their copy)."""
    return shop_frames


@pytest.fixture
def shop_schema() -> Schema:
    return SCHEMA.model_copy(deep=True)


@pytest.fixture(params=[
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("mariadb", marks=pytest.mark.mariadb),
])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty database on each backend: a new SQLite file, a fresh PG/MariaDB db."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'out.sqlite'}"
    if request.param == "postgres":
        return request.getfixturevalue("fresh_postgres_url")
    return request.getfixturevalue("fresh_mariadb_url")


@pytest.fixture(scope="session")
def chinook_schema(chinook_url: str) -> Schema:
    """Chinook's schema from SQLAlchemy reflection (a test stand-in for schema inference)."""
    import sqlalchemy as sa

    from synthohive_lib.io.dtypes import storage_of_sql_type

    engine = sa.create_engine(chinook_url)
    inspector = sa.inspect(engine)
    tables = []
    for name in inspector.get_table_names():
        pk = inspector.get_pk_constraint(name)["constrained_columns"]
        tables.append({
            "name": name,
            "primary_key": pk,
            "foreign_keys": [
                {"columns": fk["constrained_columns"], "references": fk["referred_table"],
                 "referenced_columns": fk["referred_columns"]}
                for fk in inspector.get_foreign_keys(name)
            ],
            "columns": [
                {"name": col["name"], "type": "text",
                 "storage": storage_of_sql_type(col["type"]).value,
                 "nullable": col["name"] not in pk}
                for col in inspector.get_columns(name)
            ],
        })
    engine.dispose()
    return Schema.model_validate({"name": "chinook", "tables": tables})
