"""The schema model: what a relational database looks like, in Pydantic v2.

One :class:`Schema` holds :class:`Table` objects; each table holds :class:`Column` objects,
its primary key (single or composite), its foreign keys (single or composite, several per
table, self-references allowed) and table-level constraints. Everything downstream — the
transformer, the relational generator, the validation report, the Dagster asset graph — reads
this model, so it is strict: unknown keys are refused (a typo in ``schema.yaml`` is an error,
not a silently ignored setting).

Structural consistency across tables (an FK naming an unknown table, a cycle, ...) is checked
by :mod:`synthohive_lib.schema.validate`, which collects every problem at once; the model
itself only checks what one object can know about itself.
"""

from __future__ import annotations

import difflib
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from synthohive_lib.errors import UnknownColumnError


class ColumnType(StrEnum):
    """The semantic type of a column: how it is modelled, not how it is stored."""

    INTEGER = "integer"
    FLOAT = "float"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    ID = "id"
    TEXT = "text"


class StorageType(StrEnum):
    """The physical type of a column in the source: what the connectors read and write."""

    INTEGER = "integer"
    FLOAT = "float"
    DECIMAL = "decimal"
    STRING = "string"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    DATE = "date"
    BINARY = "binary"


class PiiKind(StrEnum):
    """Kinds of personally identifying information a column can hold.

    PII is orthogonal to the semantic type: an e-mail column is ``text`` that is also PII of
    kind ``email``. PII columns never reach a model; they are replaced on output.
    """

    EMAIL = "email"
    PERSON_NAME = "person_name"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    PHONE = "phone"
    ADDRESS = "address"
    CITY = "city"
    POSTAL_CODE = "postal_code"
    IP_ADDRESS = "ip_address"
    CREDIT_CARD = "credit_card"
    NATIONAL_ID = "national_id"
    IBAN = "iban"
    DATE_OF_BIRTH = "date_of_birth"
    COMPANY = "company"


class PiiAction(StrEnum):
    """What the privacy layer does with a PII column (see ``docs/privacy.md``).

    ``fake`` is the default for a column with ``pii`` set and no action: realistic values that
    are not the real ones. ``keep`` is an explicit, logged opt-out.
    """

    DROP = "drop"
    MASK = "mask"
    HASH = "hash"
    FAKE = "fake"
    KEEP = "keep"


class OrphanPolicy(StrEnum):
    """What to do with child rows whose foreign key points at no parent row.

    The policy that clears the key is spelled ``set_null``: the older spelling ``null`` is
    what YAML reads as *no value*, so ``on_orphan: null`` in a file arrives here as ``None``.
    Both that ``None`` and the text ``"null"`` load as :attr:`SET_NULL` (old files keep
    working); files are written with ``set_null``. ``NULL`` stays as an alias for code.
    """

    RAISE = "raise"
    DROP = "drop"
    SET_NULL = "set_null"
    NULL = "set_null"  # alias of SET_NULL (the old name)

    @classmethod
    def _missing_(cls, value: object) -> OrphanPolicy | None:
        if value is None or (isinstance(value, str) and value.strip().lower() == "null"):
            return cls.SET_NULL
        return None


class DuplicateKeyPolicy(StrEnum):
    """What to do with source rows that share a primary-key value.

    ``raise`` (the default) makes them an error; ``drop`` keeps the first row of each key
    and removes the others (counted), for sources whose key is known to repeat (a weather
    table with two readings in the hour a clock goes back).
    """

    RAISE = "raise"
    DROP = "drop"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)


Scalar = int | float | str


class PiiOptions(_Strict):
    """Options of a column's PII action; each is checked against the table by the privacy layer.

    ``locale_from`` names a column (e.g. ``Country``) whose values choose the Faker locale row
    by row; ``locale`` fixes one locale; ``locale_map`` adds or overrides value → locale pairs.
    ``consistent`` gives one real value one fake value within a run (joins and repeats survive).
    ``hash_key_env`` names the environment variable holding the HMAC key for ``hash``.
    """

    locale_from: str | None = None
    locale: str | None = None
    locale_map: dict[str, str] = Field(default_factory=dict)
    consistent: bool = False
    hash_key_env: str | None = None


class Column(_Strict):
    """One column: its semantic type, storage type, nullability and per-column constraints."""

    name: str = Field(min_length=1)
    type: ColumnType
    storage: StorageType = StorageType.STRING
    nullable: bool = True
    datetime_format: str | None = Field(
        default=None,
        description="strftime format when a datetime is stored as text, e.g. '%Y-%m-%d %H:%M:%S'",
    )
    pii: PiiKind | None = None
    pii_action: PiiAction | None = Field(
        default=None, description="drop, mask, hash, fake or keep; None means fake for PII"
    )
    pii_options: PiiOptions | None = None
    unique: bool = False
    min: Scalar | None = None
    max: Scalar | None = None
    decimals: int | None = Field(default=None, ge=0, description="decimal places kept on output")
    true_value: str | None = Field(
        default=None,
        description="how a boolean stored as text spells true, e.g. 'Y' (with false_value)",
    )
    false_value: str | None = Field(
        default=None, description="how a boolean stored as text spells false, e.g. 'N'"
    )
    description: str | None = None

    @field_validator("true_value", "false_value", mode="before")
    @classmethod
    def _spelling_as_text(cls, value: object) -> object:
        """``true_value: 1`` is the text '1' (YAML reads it as a number); a YAML boolean is
        refused, since ``true`` and ``True`` would be indistinguishable once loaded."""
        if isinstance(value, bool):
            raise ValueError(
                f"write the stored spelling in quotes, e.g. true_value: '{value}' "
                "(unquoted, YAML reads it as a boolean, not as the text the column holds)"
            )
        if isinstance(value, int):
            return str(value)
        return value

    @property
    def is_replaced_pii(self) -> bool:
        """PII whose values the privacy layer replaces (any action but ``keep``): such a column
        never reaches a model and is not scored for fidelity."""
        return self.pii is not None and self.pii_action is not PiiAction.KEEP

    @model_validator(mode="after")
    def _check_self(self) -> Column:
        if self.datetime_format is not None and self.type is not ColumnType.DATETIME:
            raise ValueError(
                f"column {self.name!r}: datetime_format is only meaningful for type 'datetime'"
            )
        if (
            self.min is not None
            and self.max is not None
            and type(self.min) is type(self.max)
            and self.min > self.max  # type: ignore[operator]
        ):
            raise ValueError(f"column {self.name!r}: min {self.min!r} is above max {self.max!r}")
        if (self.true_value is None) != (self.false_value is None):
            raise ValueError(
                f"column {self.name!r}: true_value and false_value go together (the two "
                "spellings of a boolean stored as text)"
            )
        if self.true_value is not None and self.type is not ColumnType.BOOLEAN:
            raise ValueError(
                f"column {self.name!r}: true_value/false_value are only meaningful for "
                "type 'boolean'"
            )
        if self.true_value is not None and self.true_value == self.false_value:
            raise ValueError(
                f"column {self.name!r}: true_value and false_value are both {self.true_value!r}"
            )
        if self.pii is None and (self.pii_action is not None or self.pii_options is not None):
            raise ValueError(
                f"column {self.name!r}: pii_action/pii_options need 'pii' set to a PII kind"
            )
        return self


class ForeignKey(_Strict):
    """A (possibly composite) reference from columns of this table to a key of ``references``."""

    columns: list[str] = Field(min_length=1)
    references: str = Field(min_length=1)
    referenced_columns: list[str] = Field(min_length=1)
    on_orphan: OrphanPolicy = OrphanPolicy.RAISE
    name: str | None = None

    @model_validator(mode="after")
    def _same_arity(self) -> ForeignKey:
        if len(self.columns) != len(self.referenced_columns):
            raise ValueError(
                f"foreign key {self.columns} -> {self.references}{self.referenced_columns}: "
                "the number of columns differs on the two sides"
            )
        return self


class InequalityConstraint(_Strict):
    """``low`` < ``high`` (or <= when not strict) on every row, e.g. start_date < end_date."""

    kind: Literal["inequality"] = "inequality"
    low: str
    high: str
    strict: bool = True


class UniqueConstraint(_Strict):
    """The combination of ``columns`` is unique across the table (beyond the primary key)."""

    kind: Literal["unique"] = "unique"
    columns: list[str] = Field(min_length=1)


Constraint = Annotated[InequalityConstraint | UniqueConstraint, Field(discriminator="kind")]


class Table(_Strict):
    """One table: ordered columns, primary key, foreign keys and table-level constraints."""

    name: str = Field(min_length=1)
    columns: list[Column] = Field(min_length=1)
    primary_key: list[str] = Field(default_factory=list)
    on_duplicate_key: DuplicateKeyPolicy = Field(
        default=DuplicateKeyPolicy.RAISE,
        description="raise: rows sharing a primary-key value are an error; drop: keep the "
        "first row of each key and count the others removed",
    )
    foreign_keys: list[ForeignKey] = Field(default_factory=list)
    constraints: list[Constraint] = Field(default_factory=list)
    description: str | None = None

    @model_validator(mode="after")
    def _unique_column_names(self) -> Table:
        seen: set[str] = set()
        for col in self.columns:
            if col.name in seen:
                raise ValueError(f"table {self.name!r}: column {col.name!r} is declared twice")
            seen.add(col.name)
        return self

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """The column called ``name``.

        An absent name raises :class:`~synthohive_lib.errors.UnknownColumnError` (a
        ``KeyError``) naming the table, the closest declared name ("did you mean") and the
        columns to choose from: a typo in a config or a caller should be fixable from the
        message alone.
        """
        for col in self.columns:
            if col.name == name:
                return col
        close = difflib.get_close_matches(name, self.column_names, n=1)
        if not close:  # a case slip (``email`` for ``Email``) is the commonest typo of all
            close = [c for c in self.column_names if c.lower() == str(name).lower()][:1]
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UnknownColumnError(
            f"no column {name!r} in this table{hint}",
            table=self.name,
            column=str(name),
            fix=f"use one of its columns: {', '.join(self.column_names)}",
        )

    def has_column(self, name: str) -> bool:
        return any(c.name == name for c in self.columns)

    @property
    def self_references(self) -> list[ForeignKey]:
        return [fk for fk in self.foreign_keys if fk.references == self.name]

    @property
    def parent_tables(self) -> list[str]:
        """Distinct referenced tables other than this one, in declaration order."""
        out: list[str] = []
        for fk in self.foreign_keys:
            if fk.references != self.name and fk.references not in out:
                out.append(fk.references)
        return out

    @property
    def foreign_key_columns(self) -> set[str]:
        return {c for fk in self.foreign_keys for c in fk.columns}

    @property
    def pii_columns(self) -> list[Column]:
        return [c for c in self.columns if c.pii is not None]

    @property
    def key_columns(self) -> set[str]:
        """Primary- and foreign-key columns: produced by the relational layer, not a model."""
        return set(self.primary_key) | self.foreign_key_columns

    @property
    def replaced_pii_columns(self) -> list[Column]:
        """Non-key columns whose PII the privacy layer replaces, in table order."""
        keys = self.key_columns
        return [c for c in self.columns if c.is_replaced_pii and c.name not in keys]


class Schema(_Strict):
    """A whole relational schema: the single source of truth for every later stage."""

    name: str = "schema"
    version: Literal[1] = 1
    tables: list[Table] = Field(default_factory=list)
    description: str | None = None

    @model_validator(mode="after")
    def _unique_table_names(self) -> Schema:
        seen: set[str] = set()
        for table in self.tables:
            if table.name in seen:
                raise ValueError(f"table {table.name!r} is declared twice")
            seen.add(table.name)
        return self

    @property
    def table_names(self) -> list[str]:
        return [t.name for t in self.tables]

    def table(self, name: str) -> Table:
        """The table called ``name``; KeyError listing the known tables when absent."""
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(f"schema has no table {name!r}; known tables: {self.table_names}")

    def has_table(self, name: str) -> bool:
        return any(t.name == name for t in self.tables)

    @property
    def foreign_keys(self) -> list[tuple[str, ForeignKey]]:
        """Every foreign key of the schema as (child table, foreign key)."""
        return [(t.name, fk) for t in self.tables for fk in t.foreign_keys]
