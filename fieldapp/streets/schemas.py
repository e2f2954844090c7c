from ..i18n.messages import N_
from marshmallow import Schema, ValidationError, fields, validate

from ..validation import Text


def _parse_point(value: str) -> tuple[float, float]:
    try:
        lat_text, lon_text = value.split(",")
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        raise ValidationError(N_("Give a point as latitude,longitude.")) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError(N_("Give a point as latitude,longitude."))
    return lat, lon


class PointField(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return _parse_point(super()._deserialize(value, attr, data, **kwargs))


# The form _parse_point accepts, in the OpenAPI document: a client can read what a valid point is.
POINT_PATTERN = (r"^-?(90(\.0+)?|[1-8]?[0-9](\.[0-9]+)?),"
                 r"-?(180(\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\.[0-9]+)?)$")


class StreetQuery(Schema):
    near = PointField(metadata={"description": "latitude,longitude (WGS84)", "example": "52.166,5.290",
                                "pattern": POINT_PATTERN})
    q = Text(validate=validate.Length(max=120), metadata={"description": "part of a street name"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500, error=N_("Must be between 1 and 500.")))


class LatLon(Schema):
    lat = fields.Float()
    lon = fields.Float()


class StreetOut(Schema):
    id = fields.Integer()
    name = fields.String()
    neighbourhood = fields.String()
    households = fields.Integer()
    centroid = fields.Nested(LatLon, allow_none=True)
    distance_m = fields.Float(allow_none=True)


class StreetList(Schema):
    streets = fields.List(fields.Nested(StreetOut))
