"""the public neighbourhood page: the energieloket's place and hours per neighbourhood (issue 17)

Revision ID: 0012_public_page
Revises: 0011_savings
"""
from alembic import op
import sqlalchemy as sa

from fieldapp.db import UtcDateTime

revision = "0012_public_page"
down_revision = "0011_savings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "loket_hours",
        sa.Column("neighbourhood_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("place", sa.String(length=120), nullable=False),
        sa.Column("hours", sa.JSON(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["neighbourhood_id"], ["neighbourhoods.id"],
                                name=op.f("fk_loket_hours_neighbourhood_id_neighbourhoods")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_loket_hours_updated_by_id_users")),
        sa.PrimaryKeyConstraint("neighbourhood_id", name=op.f("pk_loket_hours")),
    )


def downgrade() -> None:
    op.drop_table("loket_hours")
