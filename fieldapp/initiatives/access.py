"""Who sees an initiative and who writes its notes.

An initiative holds no resident data: everyone signed in to its neighbourhood may read it (a
volunteer's form offers the running ones of their partner). Creating one is the coordinators'
work at the koppelkansensessie; notes come from the coordinators (the partners' among them) and
from the initiative's owner, whatever their role.
"""
from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import User
from .models import Initiative

COORDINATORS = ("coordinator", "admin")


def visible_initiatives(user: User):
    return select(Initiative).where(Initiative.neighbourhood_id.in_(user.neighbourhood_ids))


def may_create(user: User) -> bool:
    return user.role in COORDINATORS


def may_write_notes(user: User, initiative: Initiative) -> bool:
    return user.role in COORDINATORS or initiative.owner_id == user.id
