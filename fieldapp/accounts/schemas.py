from marshmallow import Schema, fields, validate

from ..validation import Text


class TokenRequest(Schema):
    username = Text(required=True, validate=validate.Length(min=1, max=80))
    password = Text(required=True, validate=validate.Length(min=1, max=256), load_only=True)


class UserSummary(Schema):
    username = fields.String()
    role = fields.String()
    partner = fields.Function(lambda user: user.partner.code)


class TokenResponse(Schema):
    token = fields.String()
    expires_at = fields.AwareDateTime()
    user = fields.Nested(UserSummary)
