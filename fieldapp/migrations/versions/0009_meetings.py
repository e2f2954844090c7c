"""group meetings: a meeting with its target streets and its report's counts; a record may name
the meeting it was a sign-up at (issue 16)

Revision ID: 0009_meetings
Revises: 0008_ownership
"""
from alembic import op
import sqlalchemy as sa

from fieldapp.db import UtcDateTime
from fieldapp.migrations.references import add_reference, drop_reference

revision = "0009_meetings"
down_revision = "0008_ownership"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("starts_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("start_day", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=120), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("received_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("head_count", sa.Integer(), nullable=True),
        sa.Column("reported_by_id", sa.Integer(), nullable=True),
        sa.Column("reported_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("report_fingerprint", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["neighbourhood_id"], ["neighbourhoods.id"],
                                name=op.f("fk_meetings_neighbourhood_id_neighbourhoods")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_meetings_recorded_by_id_users")),
        sa.ForeignKeyConstraint(["reported_by_id"], ["users.id"], name=op.f("fk_meetings_reported_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    op.create_index("ix_meetings_hood_start", "meetings", ["neighbourhood_id", "starts_at"], unique=False)
    op.create_table(
        "meeting_streets",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_streets_meeting_id_meetings"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["street_id"], ["streets.id"], name=op.f("fk_meeting_streets_street_id_streets")),
        sa.PrimaryKeyConstraint("meeting_id", "street_id", name=op.f("pk_meeting_streets")),
    )
    op.create_index(op.f("ix_meeting_streets_street_id"), "meeting_streets", ["street_id"], unique=False)
    op.create_table(
        "meeting_counts",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_counts_meeting_id_meetings"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("meeting_id", "kind", "code", name=op.f("pk_meeting_counts")),
    )
    add_reference("records", "meeting_id", sa.Uuid(), "meetings")


def downgrade() -> None:
    drop_reference("records", "meeting_id", "meetings")
    op.drop_table("meeting_counts")
    op.drop_index(op.f("ix_meeting_streets_street_id"), table_name="meeting_streets")
    op.drop_table("meeting_streets")
    op.drop_index("ix_meetings_hood_start", table_name="meetings")
    op.drop_table("meetings")
