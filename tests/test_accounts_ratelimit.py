"""Sign-in rate limit: the 6th failure in a minute for an account or an address is a 429.

Kept in the database, so two app instances (two gunicorn workers) share the count.
"""
from datetime import timedelta

from conftest import PASSWORD, csrf_from


def _token(client, username, password, addr="10.1.1.1"):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": addr})


def test_sixth_failure_for_an_account_is_429(app, world):
    client = app.test_client()
    for attempt in range(5):
        assert _token(client, "vol", "wrong password!", f"10.1.1.{attempt}").status_code == 401
    blocked = _token(client, "vol", "wrong password!", "10.1.2.1")
    assert blocked.status_code == 429
    # even the right password waits: a guesser cannot tell
    assert _token(client, "vol", PASSWORD, "10.1.2.2").status_code == 429
    # other accounts from other addresses are not affected
    assert _token(client, "coach", PASSWORD, "10.1.3.1").status_code == 200


def test_sixth_failure_from_an_address_is_429(app, world):
    client = app.test_client()
    for name in ("a1", "a2", "a3", "a4", "a5"):
        assert _token(client, name, "whatever123", "10.2.0.9").status_code == 401
    assert _token(client, "vol", PASSWORD, "10.2.0.9").status_code == 429
    assert _token(client, "vol", PASSWORD, "10.2.0.10").status_code == 200


def test_limit_lifts_after_a_minute(app, world, db):
    from fieldapp.accounts.models import LoginFailure

    client = app.test_client()
    for attempt in range(5):
        _token(client, "vol", "wrong password!", f"10.3.0.{attempt}")
    assert _token(client, "vol", PASSWORD, "10.3.1.1").status_code == 429
    for row in db.query(LoginFailure).all():
        row.at = row.at - timedelta(seconds=61)
    db.commit()
    assert _token(client, "vol", PASSWORD, "10.3.1.1").status_code == 200


def test_limit_shared_between_two_app_instances(app, world, database_url, tmp_path, monkeypatch):
    """Like two gunicorn workers: failures in one count in the other."""
    from fieldapp import create_app

    monkeypatch.setenv("FIELDAPP_INSTANCE_PATH", str(tmp_path / "second"))
    second = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "TESTING": True})
    try:
        for attempt in range(3):
            assert _token(app.test_client(), "vol", "wrong password!", f"10.4.0.{attempt}").status_code == 401
        for attempt in range(2):
            assert _token(second.test_client(), "vol", "wrong password!", f"10.4.1.{attempt}").status_code == 401
        assert _token(app.test_client(), "vol", PASSWORD, "10.4.2.1").status_code == 429
        assert _token(second.test_client(), "vol", PASSWORD, "10.4.2.2").status_code == 429
    finally:
        second.extensions["fieldapp.engine"].dispose()


def test_web_form_limited_too(app, world):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.5.0.1"
    for _ in range(5):
        page = client.get("/login")
        response = client.post("/login", data={"username": "coach", "password": "nope nope",
                                               "csrf_token": csrf_from(page.get_data(as_text=True))})
        assert response.status_code == 401
    page = client.get("/login")
    response = client.post("/login", data={"username": "coach", "password": PASSWORD,
                                           "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 429


def test_wrong_second_factor_counts(app, world, enrol_totp):
    enrol_totp("coord")
    client = app.test_client()
    for attempt in range(5):
        response = client.post("/api/v1/auth/token", json={"username": "coord", "password": PASSWORD, "totp": "000000"},
                               environ_base={"REMOTE_ADDR": f"10.6.0.{attempt}"})
        assert response.status_code == 401
    response = client.post("/api/v1/auth/token", json={"username": "coord", "password": PASSWORD, "totp": "111111"},
                           environ_base={"REMOTE_ADDR": "10.6.1.1"})
    assert response.status_code == 429


def test_redis_path_through_limits_storage(app, world):
    """FIELDAPP_REDIS_URL goes through the `limits` storage; its memory:// backend runs the same code."""
    from fieldapp.accounts.operations import _redis_failures

    _redis_failures.cache_clear()  # memory:// lives in the process: start from an empty count
    app.config["REDIS_URL"] = "memory://"
    client = app.test_client()
    for attempt in range(5):
        assert _token(client, "taal", "wrong password!", f"10.7.0.{attempt}").status_code == 401
    assert _token(client, "taal", "wrong password!", "10.7.1.1").status_code == 429
    from fieldapp.accounts.models import LoginFailure

    with app.app_context():
        from fieldapp.db import get_session

        assert get_session().query(LoginFailure).count() == 0  # nothing went to the table
