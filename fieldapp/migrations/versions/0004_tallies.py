"""all-time tallies per address and per street language (issue 5)

Revision ID: 0004_tallies
Revises: 0003_dashboard
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

from fieldapp.db import UtcDateTime

revision = "0004_tallies"
down_revision = "0003_dashboard"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "address_tallies",
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("address_key", sa.Integer(), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in (
            "records", "refusals", "taalcoach", "koppel", "ch_rally", "ch_klus", "ch_loket", "ch_visit")],
        sa.Column("best", sa.SmallInteger(), nullable=False),
        sa.Column("first_at", UtcDateTime(), nullable=False),
        sa.Column("last_loket", UtcDateTime(), nullable=True),
        sa.Column("consented_records", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["street_id"], ["streets.id"], name=op.f("fk_address_tallies_street_id_streets")),
        sa.PrimaryKeyConstraint("street_id", "address_key", name=op.f("pk_address_tallies")),
    )
    op.create_table(
        "street_language_tallies",
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=3), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["street_id"], ["streets.id"], name=op.f("fk_street_language_tallies_street_id_streets")),
        sa.PrimaryKeyConstraint("street_id", "language", name=op.f("pk_street_language_tallies")),
    )
    # Records stored before this revision: tally them once, with the code that keeps them later.
    from fieldapp.records import tallies

    session = Session(bind=op.get_bind())
    tallies.rebuild(session)
    session.flush()


def downgrade() -> None:
    op.drop_table("street_language_tallies")
    op.drop_table("address_tallies")
