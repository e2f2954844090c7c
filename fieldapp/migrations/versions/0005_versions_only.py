"""the dashboard's freshness by street versions alone: drop the stored street figures (kept in
each process now, so a read never writes) and the index of the old data-version stamp (issue 14)

Revision ID: 0005_versions_only
Revises: 0004_tallies
"""
from alembic import op
import sqlalchemy as sa

revision = "0005_versions_only"
down_revision = "0004_tallies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("street_figures")
    op.drop_index("ix_records_received_at", table_name="records")


def downgrade() -> None:
    op.create_index("ix_records_received_at", "records", ["received_at"], unique=False)
    # Empty: the revision before this one recounts a street whose stored row is missing.
    op.create_table(
        "street_figures",
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("today", sa.Date(), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["street_id"], ["streets.id"], name=op.f("fk_street_figures_street_id_streets")),
        sa.PrimaryKeyConstraint("street_id", name=op.f("pk_street_figures")),
    )
