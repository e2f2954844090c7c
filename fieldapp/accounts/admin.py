"""Admin screens: invite users, reset a password, disable, assign role and neighbourhoods, audit log.

An admin manages the users who share a neighbourhood with them (and new users without one), and
assigns only their own neighbourhoods; a user of another neighbourhood is a 404 here.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit
from ..audit.models import AuditEvent
from ..codes import ROLES
from ..db import get_session, write_transaction
from ..streets.models import Neighbourhood
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
    }


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
    if not 1 <= len(username) <= 80 or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        errors["username"] = _("Use 1 to 80 letters, digits, dots, dashes or underscores.")
    elif db.scalar(select(User.id).where(User.username == username)) is not None:
        errors["username"] = _("This username is taken.")
    if errors:
        return _users_page(admin, 422, errors=errors, form=request.form)
    with write_transaction(db):
        user = User(username=username, password_hash=UNUSABLE_PASSWORD, role=role, partner=partner, neighbourhoods=hoods)
        db.add(user)
        db.flush()
        code = issue_invite(db, user)
        audit.add(db, "user_invited", actor=admin, user_id=user.id, username=username, role=role,
                  neighbourhoods=[hood.id for hood in hoods])
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
    if errors:
        return render_template("accounts/admin_user.html", user=user, errors=errors, **_form_choices(admin)), 422
    db = get_session()
    with write_transaction(db):
        before = {"role": user.role, "partner": user.partner.code, "neighbourhoods": sorted(user.neighbourhood_ids)}
        # Neighbourhoods outside this admin's own stay as they were.
        others = [hood for hood in user.neighbourhoods if hood.id not in admin.neighbourhood_ids]
        user.role, user.partner, user.neighbourhoods = role, partner, others + hoods
        after = {"role": role, "partner": partner.code, "neighbourhoods": sorted(h.id for h in user.neighbourhoods)}
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
