from marshmallow import Schema, fields, validate

from ..validation import Text


class TokenRequest(Schema):
    username = Text(required=True, validate=validate.Length(min=1, max=80))
    password = Text(required=True, validate=validate.Length(min=1, max=256), load_only=True)
    totp = Text(
        load_default=None, allow_none=True, load_only=True, validate=validate.Length(max=40),
        metadata={"description": "coordinators and admins: the 6-digit code of their authenticator app, "
                                 "or one of their recovery codes"},
    )


class LogoutRequest(Schema):
    clear_storage = fields.Boolean(
        load_default=False,
        metadata={"description": "also clear the site's stored data; only when nothing is waiting to be sent"},
    )


class UserSummary(Schema):
    username = fields.String()
    role = fields.String()
    partner = fields.Function(lambda user: user.partner.code)
    languages = fields.List(fields.String(), attribute="spoken_languages",
                            metadata={"description": "ISO 639-1 codes of the languages the user speaks"})


class TokenResponse(Schema):
    token = fields.String()
    expires_at = fields.AwareDateTime()
    user = fields.Nested(UserSummary)
