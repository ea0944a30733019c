"""The directory's ``dir_*`` SQLAlchemy tables, derived from the HSDS row models, and the append-only audit.

Column types follow the pydantic annotations (str → Text, int → Integer, float → Float, date →
Date); ``ref`` fields become foreign keys (except self-references, checked at import). The tables
live on the shared ``Base.metadata``, in the same database as cases.
"""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Date, Float, ForeignKey, Index, Integer, Table, Text, TypeDecorator, event
from sqlalchemy.orm import Mapped, mapped_column

from mno_workflow.directory.schema import MODELS, SELF_REFS, foreign_keys
from mno_workflow.store.base import Base, JSONData, UTCDateTime

PREFIX = "dir_"


class DateOrInstant(TypeDecorator):
    """A date or an HSDS date-time kept as given, stored as ISO 8601 text (10 characters = a date)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return value.isoformat() if isinstance(value, date) else value

    def process_result_value(self, value: Any, dialect: Any) -> date | datetime | None:
        if value is None:
            return None
        return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)


def _base_type(annotation: Any) -> tuple[Any, bool]:
    """(python type, nullable) of a pydantic field annotation."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _base_type(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        all_args = typing.get_args(annotation)
        args = [a for a in all_args if a is not type(None)]
        if set(args) == {date, datetime}:
            return "instant", type(None) in all_args
        inner, _ = _base_type(args[0])
        return inner, type(None) in all_args
    if origin is typing.Literal:
        return str, False
    if origin is dict:
        return dict, False
    return annotation, False


_SQL = {str: Text, int: Integer, float: Float, date: Date, dict: lambda: JSONData, "instant": DateOrInstant}


def _make_table(name: str) -> Table:
    model = MODELS[name]
    fks = foreign_keys(name)
    columns = []
    for col, info in model.model_fields.items():
        py, nullable = _base_type(info.annotation)
        args: list[Any] = []
        if col in fks and SELF_REFS.get(name) != col:
            args.append(ForeignKey(f"{PREFIX}{fks[col]}.id"))
        columns.append(
            Column(
                col,
                _SQL[py](),
                *args,
                primary_key=(col == "id"),
                nullable=nullable and col != "id",
                index=col in fks,
            )
        )
    return Table(PREFIX + name, Base.metadata, *columns)


TABLES: dict[str, Table] = {name: _make_table(name) for name in MODELS}


class DirAudit(Base):
    """One edit of one directory object: who, when (UTC), what, and ``diff`` = {field: [old, new]}.

    Append-only: the ORM refuses to update or delete a row (see the mapper events below).
    """

    __tablename__ = "dir_audit"
    __table_args__ = (Index("ix_dir_audit_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[Any] = mapped_column(UTCDateTime(), nullable=False)
    actor: Mapped[str] = mapped_column(Text, nullable=False)
    action: Mapped[str] = mapped_column(Text, nullable=False)  # create | update
    object_type: Mapped[str] = mapped_column(Text, nullable=False)
    object_id: Mapped[str] = mapped_column(Text, nullable=False)
    diff: Mapped[dict] = mapped_column(JSONData, nullable=False)


@event.listens_for(DirAudit, "before_update")
def _no_update(*_args: Any) -> None:
    raise PermissionError("dir_audit is append-only")


@event.listens_for(DirAudit, "before_delete")
def _no_delete(*_args: Any) -> None:
    raise PermissionError("dir_audit is append-only")
