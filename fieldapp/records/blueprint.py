import uuid
from types import SimpleNamespace

from flask import current_app, jsonify, request
from ..i18n.messages import N_
from flask_smorest import Blueprint
from marshmallow import ValidationError
from sqlalchemy.orm import joinedload

from .. import audit
from ..access import require_user
from ..api import error_response, translate_messages
from ..db import get_session, write_transaction
from ..fastload import load_fast_or_full
from .operations import (
    CONFLICT, CREATED, INVALID, IngestContext, KnownStreetsAndPartners, Outcome, list_records, store, visible_records,
)
from .models import Record
from .schemas import BatchEnvelope, BatchIn, BatchOut, BatchRecordIn, RecordIn, RecordOut, RecordPage, RecordQuery

blp = Blueprint("records", __name__, url_prefix="/api/v1/records", description="Contact records")

# Well-formed records skip marshmallow's general machinery (same result, much less work);
# anything else is loaded by the schema itself, which gives the messages. See fieldapp/fastload.py.
# The envelope too: marshmallow's List(Raw) would visit each of up to 500 records once more.
_load_record = load_fast_or_full(RecordIn())
_load_batch_record = load_fast_or_full(BatchRecordIn())
_load_envelope = load_fast_or_full(BatchEnvelope())


def _context(user) -> IngestContext:
    known = current_app.extensions.setdefault("fieldapp.known_streets_and_partners", KnownStreetsAndPartners())
    return IngestContext(get_session(), user, current_app.config["REFERRAL_DUE_DAYS"], known)


def _as_stored(outcome: Outcome, user) -> SimpleNamespace:
    """The record just created, as RecordOut reads it, from the values that were inserted."""
    referrals = [SimpleNamespace(**referral, answered_at=None) for referral in outcome.referrals]
    return SimpleNamespace(**outcome.row, referrals=referrals, recorded_by=user)


@blp.route("/<uuid:record_id>", methods=["PUT"])
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": RecordIn}}})
@blp.response(201, RecordOut, description="Stored for the first time")
@blp.alt_response(200, schema=RecordOut, description="The identical record was already stored (a retry)")
@blp.alt_response(409, description="This UUID is stored with a different body; the stored record is unchanged")
@blp.alt_response(422, description="Invalid input: a message per field, in the request's language")
def put_record(record_id: uuid.UUID):
    """Create a record under the UUID the phone made when the form opened. Safe to retry."""
    user = require_user()
    body = request.get_json(silent=True)
    if body is None:
        return error_response(400)
    data = _load_record(body)
    if data.get("id") not in (None, record_id):
        raise ValidationError({"id": [N_("Does not match the record's address.")]})
    data["id"] = record_id
    ctx = _context(user)
    errors = ctx.check(data)
    if errors:
        raise ValidationError(errors)
    session = get_session()
    with write_transaction(session):
        [outcome] = store(ctx, [data], with_rows=True)
        if outcome.status == CREATED:
            return _as_stored(outcome, user), 201
        if outcome.status == CONFLICT:
            return error_response(409)
        return session.get(Record, record_id, options=[joinedload(Record.referrals)]), 200


@blp.route("/batch", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": BatchIn}}})
@blp.response(200, BatchOut)
def post_batch():
    """Up to 500 records at once, each standing alone: one bad record does not reject the others."""
    user = require_user()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError({"records": [N_("Send 1 to 500 records at a time.")]})
    envelope = _load_envelope({"records": body.get("records")})
    ctx = _context(user)
    results: list[Outcome | None] = []
    valid = []
    for raw in envelope["records"]:
        try:
            data = _load_batch_record(raw)
        except ValidationError as err:
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            results.append(Outcome(str(raw_id) if raw_id is not None else "", INVALID, err.messages))
            continue
        errors = ctx.check(data)
        if errors:
            results.append(Outcome(data["id"], INVALID, errors))
            continue
        results.append(None)
        valid.append(data)
    session = get_session()
    with write_transaction(session):
        stored = iter(store(ctx, valid) if valid else [])
    rows = []
    for result in results:
        result = result or next(stored)
        row = {"id": str(result.id), "status": result.status}
        if result.errors:
            row["errors"] = translate_messages(result.errors)
        rows.append(row)
    # Already in BatchOut's shape (test_records_batch checks that dumping it changes nothing):
    # marshmallow would only copy it, a record at a time (docs/performance.md).
    return jsonify(results=rows)


@blp.route("", methods=["GET"])
@blp.arguments(RecordQuery, location="query")
@blp.response(200, RecordPage)
def get_records(query):
    """Records I may read, newest first, filtered by street, channel and period; cursor-paginated."""
    user = require_user()
    records, next_cursor = list_records(get_session(), user, query)
    _audit_address_view(user, records)
    return {"records": records, "next_cursor": next_cursor}


def _audit_address_view(user, records) -> None:
    """Someone read house numbers recorded by others: the audit log keeps who, and how many."""
    others = [r for r in records if r.house_number is not None and r.recorded_by_id != user.id]
    if others:
        audit.record("address_view", via=request.endpoint, records=len(others),
                     streets=sorted({r.street_id for r in others}))


@blp.route("/<uuid:record_id>", methods=["GET"])
@blp.response(200, RecordOut)
def get_record(record_id: uuid.UUID):
    """One record I may read."""
    user = require_user()
    record = get_session().scalar(visible_records(user).where(Record.id == record_id))
    if record is None:
        return error_response(404)
    _audit_address_view(user, [record])
    return record
