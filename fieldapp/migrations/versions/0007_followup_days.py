"""the follow-up desk keeps the Amsterdam days of each referral's record, first contact and end,
so the figures count working days without converting moments on every request (issue 15)

Revision ID: 0007_followup_days
Revises: 0006_followup_desk
"""
from alembic import op
import sqlalchemy as sa

from fieldapp.db import UtcDateTime
from fieldapp.timeutil import amsterdam_day

revision = "0007_followup_days"
down_revision = "0006_followup_desk"
branch_labels = None
depends_on = None

CHUNK = 5_000


def upgrade() -> None:
    with op.batch_alter_table("followups") as batch:
        batch.add_column(sa.Column("record_day", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("contact_day", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("closing_day", sa.Integer(), nullable=True))
    _fill_days()
    with op.batch_alter_table("followups") as batch:
        batch.alter_column("record_day", existing_type=sa.Integer(), nullable=False)


def _fill_days() -> None:
    """In Python, with timeutil's own definition: the same on both databases."""
    connection = op.get_bind()
    refs = sa.table("referrals", sa.column("id", sa.Integer), sa.column("occurred_at", UtcDateTime),
                    sa.column("answered_at", UtcDateTime), sa.column("closed_at", UtcDateTime))
    desk = sa.table("followups", sa.column("referral_id", sa.Integer), sa.column("record_day", sa.Integer),
                    sa.column("contact_day", sa.Integer), sa.column("closing_day", sa.Integer))
    rows = connection.execute(
        sa.select(refs.c.id, refs.c.occurred_at, refs.c.answered_at, refs.c.closed_at)
        .select_from(refs.join(desk, desk.c.referral_id == refs.c.id))).all()
    update = (desk.update().where(desk.c.referral_id == sa.bindparam("rid"))
              .values(record_day=sa.bindparam("record"), contact_day=sa.bindparam("contact"),
                      closing_day=sa.bindparam("closing")))
    days = [{"rid": rid, "record": amsterdam_day(occurred), "contact": answered and amsterdam_day(answered),
             "closing": closed and amsterdam_day(closed)} for rid, occurred, answered, closed in rows]
    for start in range(0, len(days), CHUNK):
        connection.execute(update, days[start:start + CHUNK])


def downgrade() -> None:
    with op.batch_alter_table("followups") as batch:
        batch.drop_column("closing_day")
        batch.drop_column("contact_day")
        batch.drop_column("record_day")
