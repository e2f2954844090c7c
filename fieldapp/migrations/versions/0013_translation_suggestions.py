"""translations that the field improves: wordings suggested by speakers of a locale, reviewed by
admins (issue 18)

Revision ID: 0013_translation_suggestions
Revises: 0012_public_page
"""
from alembic import op
import sqlalchemy as sa

from fieldapp.db import UtcDateTime

revision = "0013_translation_suggestions"
down_revision = "0012_public_page"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "translation_suggestions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("msgid", sa.Text(), nullable=False),
        sa.Column("forms", sa.JSON(), nullable=False),
        sa.Column("comment", sa.String(length=300), nullable=True),
        sa.Column("suggested_by_id", sa.Integer(), nullable=False),
        sa.Column("suggested_at", UtcDateTime(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", UtcDateTime(), nullable=True),
        sa.Column("review_note", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["suggested_by_id"], ["users.id"],
                                name=op.f("fk_translation_suggestions_suggested_by_id_users")),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["users.id"],
                                name=op.f("fk_translation_suggestions_reviewed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_translation_suggestions")),
    )
    op.create_index("ix_translation_suggestions_locale_status", "translation_suggestions", ["locale", "status"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_translation_suggestions_locale_status", table_name="translation_suggestions")
    op.drop_table("translation_suggestions")
