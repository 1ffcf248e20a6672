"""Read and write ``schema.yaml``: a file a person can read, edit and keep comments in.

Layout (tables and columns are mappings keyed by name, so a diff names what changed)::

    name: chinook
    version: 1
    tables:
      Album:
        primary_key: [AlbumId]
        columns:
          AlbumId: {type: id, storage: integer, nullable: false}
          Title: {type: text}
        foreign_keys:
          - {columns: [ArtistId], references: Artist, referenced_columns: [ArtistId]}

Values equal to the model's defaults are left out. Saving over an existing file merges into
that file's parsed document (ruamel round-trip), so the comments a person wrote survive a
load → save cycle, and an unchanged schema is written back byte for byte.
"""

from __future__ import annotations

import difflib
import io
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from synthohive_lib.atomic import atomic_write_text
from synthohive_lib.errors import SchemaFileError
from synthohive_lib.schema.model import (
    Column,
    DuplicateKeyPolicy,
    ForeignKey,
    InequalityConstraint,
    Schema,
    Table,
    UniqueConstraint,
)

HEADER = (
    "SynthoHive schema: one entry per table. Edit types, PII kinds, constraints and orphan\n"
    "policies here; `synthohive schema validate` checks the file against the source."
)


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096  # one line per column, however many settings it carries
    y.preserve_quotes = True
    return y


# --------------------------------------------------------------------------- model -> plain


def _plain(model: BaseModel, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    data = model.model_dump(mode="json", exclude_defaults=True, exclude=set(drop))
    # 'kind' discriminates constraints and must always be written.
    if isinstance(model, InequalityConstraint | UniqueConstraint):
        data = {"kind": model.kind, **data}
    return data


def schema_to_dict(schema: Schema) -> dict[str, Any]:
    """The plain (JSON-compatible) document written to ``schema.yaml``."""
    out: dict[str, Any] = {"name": schema.name, "version": schema.version}
    if schema.description:
        out["description"] = schema.description
    tables: dict[str, Any] = {}
    for table in schema.tables:
        body: dict[str, Any] = {}
        if table.description:
            body["description"] = table.description
        if table.primary_key:
            body["primary_key"] = list(table.primary_key)
        if table.on_duplicate_key is not DuplicateKeyPolicy.RAISE:
            body["on_duplicate_key"] = table.on_duplicate_key.value
        body["columns"] = {c.name: _plain(c, drop=("name",)) for c in table.columns}
        if table.foreign_keys:
            body["foreign_keys"] = [_plain(fk) for fk in table.foreign_keys]
        if table.constraints:
            body["constraints"] = [_plain(c) for c in table.constraints]
        tables[table.name] = body
    out["tables"] = tables
    return out


def _styled(value: Any, path: tuple[str, ...]) -> Any:
    """Turn plain data into ruamel nodes with a readable style for each place in the tree."""
    if isinstance(value, dict):
        node = CommentedMap()
        for key, item in value.items():
            node[key] = _styled(item, (*path, str(key)))
        # Column specs, foreign keys and constraints are short: one line each.
        if (len(path) >= 4 and path[-2] == "columns") or (path and path[-1] == "[]"):
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        seq = CommentedSeq()
        for item in value:
            seq.append(_styled(item, (*path, "[]")))
        if all(not isinstance(v, dict | list) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value


def _merge(old: Any, new: Any, path: tuple[str, ...]) -> Any:
    """Update the parsed document ``old`` in place to hold ``new``, keeping its comments."""
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        for key in [k for k in old if k not in new]:
            del old[key]
        for key, value in new.items():
            if key in old:
                old[key] = _merge(old[key], value, (*path, str(key)))
            else:
                old[key] = _styled(value, (*path, str(key)))
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list) and len(old) == len(new):
        for i, value in enumerate(new):
            old[i] = _merge(old[i], value, (*path, "[]"))
        return old
    if isinstance(old, CommentedMap | CommentedSeq) or old != new or type(old) is not type(new):
        return _styled(new, path)
    return old


def dump_schema(schema: Schema, template: str | None = None) -> str:
    """The YAML text for ``schema``; merged into ``template`` (an existing file) when given."""
    y = _yaml()
    data = schema_to_dict(schema)
    if template is not None:
        doc = y.load(template)
        doc = _merge(doc, data, ()) if isinstance(doc, CommentedMap) else _styled(data, ())
    else:
        doc = _styled(data, ())
        doc.yaml_set_start_comment(HEADER)
    buf = io.StringIO()
    y.dump(doc, buf)
    return buf.getvalue()


def save_schema(schema: Schema, path: str | os.PathLike[str]) -> Path:
    """Write ``schema`` to ``path`` atomically, keeping the comments of an existing file."""
    target = Path(path)
    template = target.read_text(encoding="utf-8") if target.exists() else None
    return atomic_write_text(target, dump_schema(schema, template))


# --------------------------------------------------------------------------- plain -> model


def _as_named_list(value: Any, what: str, where: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, dict):
        raise SchemaFileError(
            f"{where}: '{what}' must be a mapping of name -> definition, "
            f"got {type(value).__name__}",
            fix=f"write '{what}:' followed by one indented entry per name",
        )
    out = []
    for name, raw in value.items():
        if raw is not None and not isinstance(raw, dict):
            raise SchemaFileError(
                f"{where}: {what} entry {name!r} must be a mapping of keys, got "
                f"{type(raw).__name__} {raw!r}",
                fix=f"write the keys of {name!r} indented below it, e.g. 'type: integer'",
            )
        body = dict(raw or {})
        if "name" in body and body["name"] != name:
            raise SchemaFileError(
                f"{where}: entry {name!r} carries a different name {body['name']!r}",
                fix="remove the inner 'name' key",
            )
        body["name"] = str(name)
        out.append(body)
    return out


def schema_from_dict(data: Any, source: str = "schema") -> Schema:
    """Build a :class:`Schema` from the plain document, with errors that name the place."""
    if not isinstance(data, dict):
        raise SchemaFileError(f"{source}: the document must be a mapping with a 'tables' key")
    doc = dict(data)
    tables = _as_named_list(doc.get("tables"), "tables", source)
    for table in tables:
        table["columns"] = _as_named_list(
            table.get("columns"), "columns", f"{source}: table {table['name']!r}"
        )
    doc["tables"] = tables
    try:
        return Schema.model_validate(doc)
    except ValidationError as exc:
        raise _explain(exc, doc, source) from None


_FIELDS_BY_LEVEL: dict[str, set[str]] = {
    "schema": set(Schema.model_fields),
    "table": set(Table.model_fields),
    "column": set(Column.model_fields),
    "foreign_key": set(ForeignKey.model_fields),
    "constraint": set(InequalityConstraint.model_fields) | set(UniqueConstraint.model_fields),
}


def _explain(exc: ValidationError, doc: dict[str, Any], source: str) -> SchemaFileError:
    """Translate Pydantic's positional error locations into table/column names and hints."""
    lines: list[str] = []
    first_table: str | None = None
    first_column: str | None = None
    for err in exc.errors():
        loc = list(err["loc"])
        table = column = None
        level = "schema"
        where = source
        if len(loc) >= 2 and loc[0] == "tables" and isinstance(loc[1], int):
            table = doc["tables"][loc[1]]["name"]
            where = f"table {table!r}"
            level = "table"
            rest = loc[2:]
            if len(rest) >= 2 and rest[0] == "columns" and isinstance(rest[1], int):
                column = doc["tables"][loc[1]]["columns"][rest[1]]["name"]
                where += f", column {column!r}"
                level, rest = "column", rest[2:]
            elif len(rest) >= 2 and rest[0] in ("foreign_keys", "constraints"):
                where += f", {rest[0]}[{rest[1]}]"
                level = "foreign_key" if rest[0] == "foreign_keys" else "constraint"
                rest = [r for r in rest[2:] if r not in ("inequality", "unique")]
            loc = rest
        else:
            loc = loc[:]
        key = str(loc[-1]) if loc else ""
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            close = difflib.get_close_matches(key, sorted(_FIELDS_BY_LEVEL[level]), n=1)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else (f"allowed keys: {', '.join(sorted(_FIELDS_BY_LEVEL[level] - {'name'}))}")
            )
            msg = f"unknown key {key!r} ({hint})"
        elif key:
            msg = f"{key}: {msg}"
        lines.append(f"{where}: {msg}")
        first_table = first_table or table
        first_column = first_column or column
    return SchemaFileError(
        f"{source} is not a valid schema:\n  " + "\n  ".join(lines),
        table=first_table,
        column=first_column,
        fix="correct the keys named above (see docs/schema.md for every allowed key)",
    )


def load_schema(path: str | os.PathLike[str]) -> Schema:
    """Load ``schema.yaml``; a missing file, bad YAML or an unknown key is a SchemaFileError."""
    target = Path(path)
    if not target.is_file():
        raise SchemaFileError(
            f"schema file {str(target)!r} does not exist",
            fix="create it with `synthohive schema infer URL -o schema.yaml`",
        )
    return loads_schema(target.read_text(encoding="utf-8"), source=str(target))


def loads_schema(text: str, source: str = "schema.yaml") -> Schema:
    """Parse schema YAML text (see :func:`load_schema`)."""
    try:
        data = YAML(typ="safe").load(text)
    except YAMLError as exc:
        raise SchemaFileError(
            f"{source} is not valid YAML: {exc}", fix="check indentation and quoting"
        ) from None
    return schema_from_dict(data, source=source)
