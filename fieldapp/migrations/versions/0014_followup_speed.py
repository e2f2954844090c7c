"""the follow-up desk keeps each of its days' working-day ordinal beside the day, so the figures
count working days by subtracting two stored numbers; the revisit queue finds the doors the
register does not know in an index of their own (issue 15)

Revision ID: 0014_followup_speed
Revises: 0013_translation_suggestions
"""
from alembic import op
import sqlalchemy as sa

from fieldapp.workdays import ordinal_or_none

revision = "0014_followup_speed"
down_revision = "0013_translation_suggestions"
branch_labels = None
depends_on = None

CHUNK = 5_000
CHECKS = (("ck_followups_contact_ordinal", "(contact_day IS NULL) = (contact_ordinal IS NULL)"),
          ("ck_followups_closing_ordinal", "(closing_day IS NULL) = (closing_ordinal IS NULL)"))


UNREGISTERED = "address_id IS NULL AND house_number IS NOT NULL"
DOOR_COLUMNS = ["street_id", "house_number", "house_addition", "occurred_at", "channel", "outcome", "language"]


def upgrade() -> None:
    op.create_index("ix_records_unregistered_doors", "records", DOOR_COLUMNS,
                    postgresql_where=sa.text(UNREGISTERED), sqlite_where=sa.text(UNREGISTERED))
    with op.batch_alter_table("followups") as batch:
        batch.add_column(sa.Column("record_ordinal", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("contact_ordinal", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("closing_ordinal", sa.Integer(), nullable=True))
    fill_ordinals(op.get_bind())
    with op.batch_alter_table("followups") as batch:
        batch.alter_column("record_ordinal", existing_type=sa.Integer(), nullable=False)
        for name, condition in CHECKS:
            batch.create_check_constraint(name, condition)


def fill_ordinals(connection) -> None:
    """Every desk row's ordinals from its stored days, in Python with workdays' own definition:
    the same on both databases, and the holidays library decides."""
    desk = sa.table("followups", sa.column("referral_id", sa.Integer), sa.column("record_day", sa.Integer),
                    sa.column("contact_day", sa.Integer), sa.column("closing_day", sa.Integer),
                    sa.column("record_ordinal", sa.Integer), sa.column("contact_ordinal", sa.Integer),
                    sa.column("closing_ordinal", sa.Integer))
    rows = connection.execute(sa.select(desk.c.referral_id, desk.c.record_day, desk.c.contact_day,
                                        desk.c.closing_day)).all()
    update = (desk.update().where(desk.c.referral_id == sa.bindparam("rid"))
              .values(record_ordinal=sa.bindparam("record"), contact_ordinal=sa.bindparam("contact"),
                      closing_ordinal=sa.bindparam("closing")))
    values = [{"rid": rid, "record": ordinal_or_none(record), "contact": ordinal_or_none(contact),
               "closing": ordinal_or_none(closing)} for rid, record, contact, closing in rows]
    for start in range(0, len(values), CHUNK):
        connection.execute(update, values[start:start + CHUNK])


def downgrade() -> None:
    with op.batch_alter_table("followups") as batch:
        for name, _condition in CHECKS:
            batch.drop_constraint(name, type_="check")
        batch.drop_column("closing_ordinal")
        batch.drop_column("contact_ordinal")
        batch.drop_column("record_ordinal")
    op.drop_index("ix_records_unregistered_doors", table_name="records")
