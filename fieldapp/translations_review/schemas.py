"""The suggestions' API shapes: the one source of validation and of the OpenAPI document."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, post_load, validate

from ..i18n import TRANSLATED
from ..i18n.messages import N_
from ..validation import Text
from .models import STATUSES

MAX_TEXT = 1000
LOCALE = validate.OneOf(TRANSLATED, error=N_("Unknown language code."))
DECISIONS = ("accept", "reject")


class SuggestionIn(Schema):
    """A better wording for one string of one locale."""

    class Meta:
        unknown = RAISE

    locale = Text(required=True, validate=LOCALE, metadata={"enum": list(TRANSLATED)})
    msgid = Text(required=True, validate=validate.Length(min=1, max=MAX_TEXT, error=N_("Unknown text.")),
                 metadata={"description": "the English source text (msgid) as the catalog has it"})
    forms = fields.List(
        Text(validate=validate.Length(max=MAX_TEXT, error=N_("At most 1000 characters."))), required=True,
        validate=validate.Length(min=1, max=6, error=N_("Give one translation.")),
        metadata={"description": "the wording: one text, or one per plural form of the locale for a plural msgid"})
    comment = Text(load_default=None, allow_none=True,
                   validate=validate.Length(max=300, error=N_("At most 300 characters.")),
                   metadata={"description": "a word to the reviewer, optional"})

    @post_load
    def normalise(self, data, **_kwargs):
        data["forms"] = [form.strip() for form in data["forms"]]
        comment = (data.get("comment") or "").strip()
        data["comment"] = comment or None
        return data


class ReviewIn(Schema):
    class Meta:
        unknown = RAISE

    decision = Text(required=True, validate=validate.OneOf(DECISIONS, error=N_("Choose accept or reject.")),
                    metadata={"enum": list(DECISIONS)})
    note = Text(load_default=None, allow_none=True,
                validate=validate.Length(max=300, error=N_("At most 300 characters.")))

    @post_load
    def normalise(self, data, **_kwargs):
        data["note"] = (data.get("note") or "").strip() or None
        return data


class SuggestionOut(Schema):
    id = fields.UUID()
    locale = fields.String()
    msgid = fields.String()
    forms = fields.List(fields.String())
    comment = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": list(STATUSES)})
    suggested_by = fields.Function(lambda s: s.suggested_by.username)
    suggested_at = fields.AwareDateTime()
    reviewed_by = fields.Function(lambda s: s.reviewed_by.username if s.reviewed_by else None)
    reviewed_at = fields.AwareDateTime(allow_none=True)
    review_note = fields.String(allow_none=True)
    current = fields.List(fields.String(), metadata={"description": "the wording in use now"})


class LocaleQuery(Schema):
    locale = Text(validate=LOCALE, metadata={"enum": list(TRANSLATED), "description": "one locale only"})


class SuggestionQuery(Schema):
    locale = Text(validate=LOCALE, metadata={"enum": list(TRANSLATED)})
    status = Text(validate=validate.OneOf(STATUSES, error=N_("Unknown status.")), metadata={"enum": list(STATUSES)})


class SuggestionList(Schema):
    suggestions = fields.List(fields.Nested(SuggestionOut))


class LocaleShare(Schema):
    locale = fields.String()
    strings = fields.Integer()
    reviewed = fields.Integer(metadata={"description": "strings a native speaker reviewed (accepted or in the .po)"})
    share = fields.Float()
    open = fields.Integer(metadata={"description": "suggestions awaiting review"})


class ShareList(Schema):
    locales = fields.List(fields.Nested(LocaleShare))
