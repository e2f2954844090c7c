"""Admin screens: invite users, reset a password, disable, assign role, neighbourhoods and spoken
languages, audit log.

An admin manages the users who share a neighbourhood with them (and new users without one), and
assigns only their own neighbourhoods; a user of another neighbourhood is a 404 here.
"""
from __future__ import annotations

import re

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit
from ..audit.models import AuditEvent
from ..codes import COMMON_LANGUAGES, ROLES
from ..db import get_session, write_transaction
from ..streets.models import Neighbourhood
from ..validation import LANGUAGES
from ..access import login_required, require_user
from .models import Partner, User, user_neighbourhoods
from .operations import UNUSABLE_PASSWORD, issue_invite, set_active

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
AUDIT_PAGE = 50  # events a page: about two screens of a phone
EVENT_LABELS = {
    "login": _l("Signed in"),
    "login_failed": _l("Sign-in failed"),
    "logout": _l("Signed out"),
    "token_issued": _l("App sign-in token issued"),
    "token_revoked": _l("App sign-in tokens revoked"),
    "user_invited": _l("User invited"),
    "user_changed": _l("User changed"),
    "user_disabled": _l("User disabled"),
    "password_reset": _l("Password reset"),
    "invite_accepted": _l("Invitation accepted"),
    "address_view": _l("Addresses viewed"),
    "export": _l("Export"),
    "retention_run": _l("Retention run"),
    "address_erased": _l("Address erased"),
    "address_exported": _l("Address exported"),
    "translation_suggested": _l("Wording suggested"),
    "translation_accepted": _l("Wording accepted"),
    "translation_rejected": _l("Wording rejected"),
}


def _managed_user(admin: User, user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None or (user.neighbourhood_ids and not user.neighbourhood_ids & admin.neighbourhood_ids):
        abort(404)
    return user


def _form_choices(admin: User) -> dict:
    db = get_session()
    return {
        "roles": [(code, ROLES.label(code)) for code in ROLES.codes],
        "partners": list(db.scalars(select(Partner).order_by(Partner.name))),
        "hoods": sorted(admin.neighbourhoods, key=lambda hood: hood.name),
        "common_languages": [(code, _language_name(code)) for code in COMMON_LANGUAGES],
    }


def _language_name(code: str) -> str:
    names = get_locale().languages if get_locale() else {}
    return names.get(code, code)


def _spoken_languages() -> tuple[list[str] | None, str | None]:
    """The ticked common languages and the other ISO codes typed (comma or space separated);
    None when the form has no language fields at all (sent by a client that does not know them)."""
    if "other_languages" not in request.form and "language" not in request.form:
        return None, None
    typed = re.split(r"[\s,;]+", request.form.get("other_languages", "")[:200].lower())
    codes = list(dict.fromkeys(code for code in request.form.getlist("language") + typed if code))
    unknown = [code for code in codes if code not in LANGUAGES]
    if unknown:
        # The codes as typed, after the message: which one is wrong is the point.
        return codes, f"{_('Unknown language code.')} {', '.join(code.replace(chr(0), '') for code in unknown)}"
    return codes, None


def _chosen(admin: User) -> tuple[str | None, Partner | None, list[Neighbourhood], dict]:
    """Role, partner and neighbourhoods from the form, with per-field messages."""
    errors = {}
    role = request.form.get("role")
    if role not in ROLES.codes:
        errors["role"] = _("Choose a role.")
    partner_code = request.form.get("partner", "").replace("\x00", "")
    partner = get_session().scalar(select(Partner).where(Partner.code == partner_code))
    if partner is None:
        errors["partner"] = _("Choose a partner.")
    wanted = set(request.form.getlist("neighbourhood"))
    hoods = [hood for hood in admin.neighbourhoods if str(hood.id) in wanted]
    if not hoods:
        errors["neighbourhood"] = _("Choose at least one neighbourhood.")
    return role, partner, hoods, errors


def _users_page(admin: User, status: int = 200, **extra):
    db = get_session()
    visible = select(User).outerjoin(user_neighbourhoods).where(
        user_neighbourhoods.c.neighbourhood_id.in_(admin.neighbourhood_ids) | user_neighbourhoods.c.neighbourhood_id.is_(None)
    ).distinct().order_by(User.username)
    context = {"users": list(db.scalars(visible)), "errors": {}, "form": {}, **_form_choices(admin), **extra}
    return render_template("accounts/admin_users.html", **context), status


@bp.get("/users")
@login_required("admin")
def users():
    return _users_page(require_user())


@bp.post("/users")
@login_required("admin")
def invite_user():
    admin = require_user()
    db = get_session()
    username = request.form.get("username", "").strip()
    role, partner, hoods, errors = _chosen(admin)
    languages, language_error = _spoken_languages()
    if language_error:
        errors["languages"] = language_error
    if not 1 <= len(username) <= 80 or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        errors["username"] = _("Use 1 to 80 letters, digits, dots, dashes or underscores.")
    elif db.scalar(select(User.id).where(User.username == username)) is not None:
        errors["username"] = _("This username is taken.")
    if errors:
        return _users_page(admin, 422, errors=errors, form=request.form)
    with write_transaction(db):
        user = User(username=username, password_hash=UNUSABLE_PASSWORD, role=role, partner=partner, neighbourhoods=hoods)
        user.spoken_languages = languages or []
        db.add(user)
        db.flush()
        code = issue_invite(db, user)
        audit.add(db, "user_invited", actor=admin, user_id=user.id, username=username, role=role,
                  neighbourhoods=[hood.id for hood in hoods], languages=languages or [])
    return _invite_page(user, code)


def _invite_page(user: User, code: str):
    link = url_for("accounts.invite", code=code, _external=True)
    return render_template("accounts/admin_invite.html", user=user, code=code, link=link)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required("admin")
def edit_user(user_id: int):
    admin = require_user()
    user = _managed_user(admin, user_id)
    if request.method == "GET":
        return render_template("accounts/admin_user.html", user=user, errors={}, **_form_choices(admin))
    role, partner, hoods, errors = _chosen(admin)
    languages, language_error = _spoken_languages()
    if language_error:
        errors["languages"] = language_error
    if errors:
        return render_template("accounts/admin_user.html", user=user, errors=errors, **_form_choices(admin)), 422
    db = get_session()
    with write_transaction(db):
        before = {"role": user.role, "partner": user.partner.code, "neighbourhoods": sorted(user.neighbourhood_ids),
                  "languages": user.spoken_languages}
        # Neighbourhoods outside this admin's own stay as they were.
        others = [hood for hood in user.neighbourhoods if hood.id not in admin.neighbourhood_ids]
        user.role, user.partner, user.neighbourhoods = role, partner, others + hoods
        if languages is not None and sorted(languages) != before["languages"]:
            user.spoken_languages = languages
        after = {"role": role, "partner": partner.code, "neighbourhoods": sorted(h.id for h in user.neighbourhoods),
                 "languages": before["languages"] if languages is None else sorted(languages)}
        if before != after:
            audit.add(db, "user_changed", actor=admin, user_id=user.id, before=before, after=after)
    return render_template("accounts/admin_user.html", user=user, errors={}, saved=True, **_form_choices(admin))


@bp.post("/users/<int:user_id>/reset")
@login_required("admin")
def reset_password(user_id: int):
    admin = require_user()
    user = _managed_user(admin, user_id)
    db = get_session()
    with write_transaction(db):
        code = issue_invite(db, user)
        audit.add(db, "password_reset", actor=admin, user_id=user.id, username=user.username)
    return _invite_page(user, code)


@bp.post("/users/<int:user_id>/active")
@login_required("admin")
def set_user_active(user_id: int):
    admin = require_user()
    user = _managed_user(admin, user_id)
    active = request.form.get("active") == "1"
    if user.id == admin.id and not active:
        return render_template("accounts/admin_user.html", user=user, errors={"active": _("You cannot disable yourself.")},
                               **_form_choices(admin)), 422
    db = get_session()
    with write_transaction(db):
        set_active(db, user, active)
        audit.add(db, "user_changed" if active else "user_disabled", actor=admin, user_id=user.id,
                  username=user.username, active=active)
    return render_template("accounts/admin_user.html", user=user, errors={}, saved=True, **_form_choices(admin))


@bp.get("/audit")
@login_required("admin")
def audit_log():
    event = request.args.get("event") or None
    page = min(max(request.args.get("page", 1, type=int), 1), 100_000)
    # One more than a page: whether there is an older page, without counting the whole log.
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).offset((page - 1) * AUDIT_PAGE).limit(AUDIT_PAGE + 1)
    if event in audit.EVENTS:
        stmt = stmt.where(AuditEvent.event == event)
    rows = list(get_session().scalars(stmt))
    labels = {name: str(EVENT_LABELS.get(name, name)) for name in audit.EVENTS}
    return render_template("accounts/admin_audit.html", rows=rows[:AUDIT_PAGE], labels=labels, event=event,
                           page=page, older=len(rows) > AUDIT_PAGE)
