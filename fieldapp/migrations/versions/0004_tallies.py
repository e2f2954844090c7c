"""all-time tallies per address, per street language and per street week, street versions and stored street
figures; referrals carry their record's street
and time; covering index for a chosen period (issue 5)

Revision ID: 0004_tallies
Revises: 0003_dashboard
"""
from alembic import op
import sqlalchemy as sa

from fieldapp.db import UtcDateTime

revision = "0004_tallies"
down_revision = "0003_dashboard"
branch_labels = None
depends_on = None

PERIOD_COLUMNS = ("street_id", "occurred_at", "address_id", "channel", "outcome", "language",
                  "taalcoach_present", "partner_count", "ambassador")


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
    op.create_table(
        "street_week_tallies",
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["street_id"], ["streets.id"], name=op.f("fk_street_week_tallies_street_id_streets")),
        sa.PrimaryKeyConstraint("street_id", "week", "channel", name=op.f("pk_street_week_tallies")),
    )
    op.create_table(
        "street_versions",
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["street_id"], ["streets.id"], name=op.f("fk_street_versions_street_id_streets")),
        sa.PrimaryKeyConstraint("street_id", name=op.f("pk_street_versions")),
    )
    op.create_table(
        "street_figures",
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("today", sa.Date(), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["street_id"], ["streets.id"], name=op.f("fk_street_figures_street_id_streets")),
        sa.PrimaryKeyConstraint("street_id", name=op.f("pk_street_figures")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("street_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("occurred_at", UtcDateTime(), nullable=True))
    for column in ("street_id", "occurred_at"):
        op.execute(f"UPDATE referrals SET {column} = (SELECT records.{column} FROM records "
                   f"WHERE records.id = referrals.record_id)")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.alter_column("street_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("occurred_at", existing_type=UtcDateTime(), nullable=False)
        batch_op.create_foreign_key(batch_op.f("fk_referrals_street_id_streets"), "streets", ["street_id"], ["id"])
        batch_op.create_index("ix_referrals_street", ["consent", "street_id", "occurred_at", "answered_at", "due_date"],
                              unique=False)
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_street_occurred")
        batch_op.create_index("ix_records_street_period", list(PERIOD_COLUMNS), unique=False)

    # Records stored before this revision are tallied by the newest revision that changes the
    # tallies' columns (now 0008_ownership): the code that counts them counts into today's
    # columns, which do not all exist yet at this revision.


def downgrade() -> None:
    op.drop_table("street_figures")
    op.drop_table("street_versions")
    op.drop_table("street_week_tallies")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_street_period")
        batch_op.create_index("ix_records_street_occurred", ["street_id", "occurred_at"], unique=False)
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_street")
        batch_op.drop_constraint("fk_referrals_street_id_streets", type_="foreignkey")
        batch_op.drop_column("occurred_at")
        batch_op.drop_column("street_id")
    op.drop_table("street_language_tallies")
    op.drop_table("address_tallies")
