"""create-user and demo: coordinators and admins get a second factor the operator can use."""
import pyotp

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


def _token(app, username, password, code=None):
    body = {"username": username, "password": password}
    if code:
        body["totp"] = code
    return app.test_client().post("/api/v1/auth/token", json=body)


def test_create_coordinator_with_secret_from_env(app, world, monkeypatch):
    from fieldapp.cli import main

    monkeypatch.setenv("FIELDAPP_PASSWORD", "long enough words")
    monkeypatch.setenv("FIELDAPP_TOTP_SECRET", SECRET)
    result = app.test_cli_runner().invoke(main, ["create-user", "chief", "--role", "coordinator", "--partner",
                                                 "gemeente", "--neighbourhood", "Smitsveen"])
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output and "Recovery codes" in result.output
    assert _token(app, "chief", "long enough words").status_code == 401
    assert _token(app, "chief", "long enough words", pyotp.TOTP(SECRET).now()).status_code == 200


def test_create_admin_prints_generated_secret(app, world, monkeypatch):
    from fieldapp.cli import main

    monkeypatch.setenv("FIELDAPP_PASSWORD", "long enough words")
    monkeypatch.delenv("FIELDAPP_TOTP_SECRET", raising=False)
    result = app.test_cli_runner().invoke(main, ["create-user", "root2", "--role", "admin", "--partner",
                                                 "gemeente", "--neighbourhood", "Smitsveen"])
    assert result.exit_code == 0, result.output
    secret = result.output.split("authenticator app: ")[1].split()[0]
    recovery = result.output.split("shown only now): ")[1].split()
    assert len(recovery) == 10
    assert _token(app, "root2", "long enough words", pyotp.TOTP(secret).now()).status_code == 200
    assert _token(app, "root2", "long enough words", recovery[3]).status_code == 200


def test_volunteer_has_no_second_factor_and_weak_password_refused(app, world, monkeypatch):
    from fieldapp.cli import main

    runner = app.test_cli_runner()
    monkeypatch.setenv("FIELDAPP_PASSWORD", "password123")
    weak = runner.invoke(main, ["create-user", "v2", "--role", "volunteer", "--partner", "eas",
                                "--neighbourhood", "Smitsveen"])
    assert weak.exit_code != 0 and "too easy to guess" in weak.output
    monkeypatch.setenv("FIELDAPP_PASSWORD", "long enough words")
    ok = runner.invoke(main, ["create-user", "v2", "--role", "volunteer", "--partner", "eas",
                              "--neighbourhood", "Smitsveen"])
    assert ok.exit_code == 0 and "TOTP" not in ok.output
    assert _token(app, "v2", "long enough words").status_code == 200


def test_bad_secret_refused(app, world, monkeypatch):
    from fieldapp.cli import main

    monkeypatch.setenv("FIELDAPP_PASSWORD", "long enough words")
    monkeypatch.setenv("FIELDAPP_TOTP_SECRET", "not base32 at all!")
    result = app.test_cli_runner().invoke(main, ["create-user", "chief", "--role", "coordinator", "--partner",
                                                 "gemeente", "--neighbourhood", "Smitsveen"])
    assert result.exit_code != 0 and "base32" in result.output


def test_demo_prints_totp_secrets_that_work(app, db):
    from fieldapp.demo.seed import seed_demo

    summary = seed_demo(db, "demo pass words", records=40)
    text = summary.describe()
    assert set(summary.totp_secrets) == {"coordinator", "admin"}
    for name, secret in summary.totp_secrets.items():
        assert f"TOTP secret: {secret}" in text
    assert _token(app, "coordinator", "demo pass words").status_code == 401
    code = pyotp.TOTP(summary.totp_secrets["coordinator"]).now()
    assert _token(app, "coordinator", "demo pass words", code).status_code == 200
    assert _token(app, "volunteer", "demo pass words").status_code == 200
    # a second run keeps the secrets
    assert seed_demo(db, "demo pass words", records=40).totp_secrets == summary.totp_secrets


def test_create_user_stores_the_languages_they_speak(app, world, monkeypatch):
    from fieldapp.cli import main

    monkeypatch.setenv("FIELDAPP_PASSWORD", "long enough words")
    runner = app.test_cli_runner()

    def create(*languages):
        return runner.invoke(main, ["create-user", "linguist", "--role", "taalcoach", "--partner", "balans",
                                    "--neighbourhood", "Smitsveen", *languages])

    def spoken():
        return _token(app, "linguist", "long enough words").get_json()["user"]["languages"]

    result = create("--languages", "ti, NL,ti,,so")
    assert result.exit_code == 0, result.output
    assert spoken() == ["nl", "so", "ti"]
    assert create().exit_code == 0 and spoken() == ["nl", "so", "ti"]  # left out: kept
    assert create("--languages", "nl,tr").exit_code == 0 and spoken() == ["nl", "tr"]
    assert create("--languages", "").exit_code == 0 and spoken() == []  # nobody is assumed to speak Dutch


def test_create_user_refuses_an_unknown_language(app, world, monkeypatch):
    from fieldapp.cli import main

    monkeypatch.setenv("FIELDAPP_PASSWORD", "long enough words")
    result = app.test_cli_runner().invoke(main, ["create-user", "babel", "--role", "volunteer", "--partner", "eas",
                                                 "--neighbourhood", "Smitsveen", "--languages", "nl,klingon"])
    assert result.exit_code != 0
    assert "unknown language code 'klingon'" in result.output and "ISO 639-1" in result.output
    assert _token(app, "babel", "long enough words").status_code == 401  # nothing half made
