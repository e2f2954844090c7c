"""A nullable column on a table other tables point at, referencing a new table, added and
dropped in place.

Not through batch_alter_table: on SQLite that copies the table and drops the old one, which the
foreign keys pointing at it (the referrals' at records) refuse. SQLite adds a nullable
referencing column in place, and drops one in place since 3.35.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def _key_name(table: str, column: str, target: str) -> str:
    return op.f(f"fk_{table}_{column}_{target}")


def add_reference(table: str, column: str, type_: sa.types.TypeEngine, target: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} {type_.compile(dialect=bind.dialect)} "
                   f"REFERENCES {target} (id)")
    else:
        op.add_column(table, sa.Column(column, type_, nullable=True))
        op.create_foreign_key(_key_name(table, column, target), table, target, [column], ["id"])
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def drop_reference(table: str, column: str, target: str) -> None:
    op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        op.drop_constraint(_key_name(table, column, target), table, type_="foreignkey")
        op.drop_column(table, column)
