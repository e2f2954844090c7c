from marshmallow import Schema, fields, validate

from ..i18n.messages import N_

# PostgreSQL text cannot hold NUL; refusing it here makes it a 422, not a server error.
NO_NUL = validate.Regexp(r"^[^\x00]*$", error=N_("Invalid value."))


class TokenRequest(Schema):
    username = fields.String(required=True, validate=[validate.Length(min=1, max=80), NO_NUL])
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)
    totp = fields.String(
        load_default=None, allow_none=True, load_only=True, validate=[validate.Length(max=40), NO_NUL],
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


class TokenResponse(Schema):
    token = fields.String()
    expires_at = fields.AwareDateTime()
    user = fields.Nested(UserSummary)
