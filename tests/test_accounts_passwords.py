"""Password hashing: the real argon2id profile everywhere but under TESTING."""
from argon2 import PasswordHasher

from fieldapp import create_app
from fieldapp.accounts.operations import hash_password


def _parameters(hashed: str) -> str:
    return hashed.split("$")[3]  # $argon2id$v=19$m=…,t=…,p=…$salt$hash


def test_a_deployed_app_hashes_with_the_library_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDAPP_INSTANCE_PATH", str(tmp_path))
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}", "SECRET_KEY": "k"})
    defaults = PasswordHasher()
    with app.app_context():
        hashed = hash_password("correct horse battery")
    assert _parameters(hashed) == f"m={defaults.memory_cost},t={defaults.time_cost},p={defaults.parallelism}"
    assert _parameters(hash_password("outside any app")) == _parameters(hashed)  # the CLI before an app exists


def test_under_testing_the_cheap_profile_still_verifies_both(app, db, world):
    from sqlalchemy import select

    from fieldapp.accounts.models import User
    from fieldapp.accounts.operations import verify_password

    user = db.scalar(select(User).where(User.username == "vol"))
    assert _parameters(user.password_hash) == "m=8,t=1,p=1"
    assert verify_password(user, "correct horse battery")
    user.password_hash = PasswordHasher().hash("a deployed hash")
    assert verify_password(user, "a deployed hash") and not verify_password(user, "wrong")
    assert not verify_password(None, "a deployed hash")
