"""Consent is recorded with the version of the text shown; the notes field warns about names."""
import uuid


def _body(world, **extra):
    return {"channel": "loket", "street_id": world.streets["Smitsplein"], "heard_via": "flyer",
            "occurred_at": "2026-01-05T10:00:00+01:00", "language": "so", **extra}


def test_consent_text_version_stored_and_returned(login, world):
    api = login("vol")
    rid = uuid.uuid4()
    body = _body(world, referrals=[{"code": "energy_coach", "consent": True, "consent_text_version": "2026-01/so"},
                                   {"code": "debt_help", "consent": False}])
    assert api.put(f"/api/v1/records/{rid}", json=body).status_code == 201
    assert api.put(f"/api/v1/records/{rid}", json=body).status_code == 200  # a retry is still a retry
    referrals = api.get(f"/api/v1/records/{rid}").get_json()["referrals"]
    assert [r["consent_text_version"] for r in referrals] == ["2026-01/so", None]


def test_records_without_the_field_keep_their_fingerprint(login, world):
    """Phones that do not send the new field yet: same body twice is a retry, not a conflict."""
    api = login("vol")
    rid = uuid.uuid4()
    body = _body(world, referrals=[{"code": "energy_coach", "consent": True}])
    assert api.put(f"/api/v1/records/{rid}", json=body).status_code == 201
    assert api.put(f"/api/v1/records/{rid}", json=body).status_code == 200


def test_consent_text_version_validated(login, world):
    api = login("vol", "nl")
    body = _body(world, referrals=[{"code": "energy_coach", "consent": True, "consent_text_version": "x" * 41}])
    response = api.put(f"/api/v1/records/{uuid.uuid4()}", json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"]["referrals"]["0"]["consent_text_version"] == ["Hoogstens 40 tekens."]


def test_no_name_field_and_notes_warning_in_openapi(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    record_in = next(s for name, s in schemas.items() if name.startswith("RecordIn"))
    assert "Do not write names or health details" in record_in["properties"]["notes"]["description"]
    referral = next(s for name, s in schemas.items() if name.startswith("ReferralIn"))
    assert "consent_text_version" in referral["properties"]
    for name, schema in schemas.items():
        for field in schema.get("properties", {}):
            assert "name" not in field.lower() or field == "username" or name.startswith(("Street", "Token", "User")), \
                (name, field)
