"""koppelkansen as initiatives: initiatives, their partners and progress notes; a record and a
meeting may name the initiative they belong to (issue 16)

Revision ID: 0010_initiatives
Revises: 0009_meetings
"""
from alembic import op
import sqlalchemy as sa

from fieldapp.db import UtcDateTime
from fieldapp.migrations.references import add_reference, drop_reference

revision = "0010_initiatives"
down_revision = "0009_meetings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "initiatives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("owner_partner_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("next_step", sa.String(length=300), nullable=True),
        sa.Column("next_step_due", sa.Date(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("last_progress_day", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["neighbourhood_id"], ["neighbourhoods.id"],
                                name=op.f("fk_initiatives_neighbourhood_id_neighbourhoods")),
        sa.ForeignKeyConstraint(["owner_partner_id"], ["partners.id"],
                                name=op.f("fk_initiatives_owner_partner_id_partners")),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_initiatives_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiatives")),
    )
    op.create_index("ix_initiatives_hood_status", "initiatives", ["neighbourhood_id", "status"])
    op.create_table(
        "initiative_partners",
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiatives.id"],
                                name=op.f("fk_initiative_partners_initiative_id_initiatives"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"], name=op.f("fk_initiative_partners_partner_id_partners")),
        sa.PrimaryKeyConstraint("initiative_id", "partner_id", name=op.f("pk_initiative_partners")),
    )
    op.create_table(
        "initiative_notes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("status_before", sa.String(length=10), nullable=True),
        sa.Column("status_after", sa.String(length=10), nullable=True),
        sa.Column("next_step_changed", sa.Boolean(), nullable=False),
        sa.Column("next_step_before", sa.String(length=300), nullable=True),
        sa.Column("next_step_due_before", sa.Date(), nullable=True),
        sa.Column("next_step_after", sa.String(length=300), nullable=True),
        sa.Column("next_step_due_after", sa.Date(), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiatives.id"],
                                name=op.f("fk_initiative_notes_initiative_id_initiatives"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sent_by_id"], ["users.id"], name=op.f("fk_initiative_notes_sent_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative_notes")),
    )
    op.create_index("ix_initiative_notes_initiative_day", "initiative_notes", ["initiative_id", "day"])
    add_reference("records", "initiative_id", sa.Integer(), "initiatives")
    add_reference("meetings", "initiative_id", sa.Integer(), "initiatives")


def downgrade() -> None:
    drop_reference("meetings", "initiative_id", "initiatives")
    drop_reference("records", "initiative_id", "initiatives")
    op.drop_index("ix_initiative_notes_initiative_day", table_name="initiative_notes")
    op.drop_table("initiative_notes")
    op.drop_table("initiative_partners")
    op.drop_index("ix_initiatives_hood_status", table_name="initiatives")
    op.drop_table("initiatives")
