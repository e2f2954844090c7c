/* A referral as this phone knows it: the server's card from the kept copy, with the steps taken
 * here that the copy cannot show yet (still in the outbox, or sent after the copy was fetched).
 */
import { isEvent, list } from "../outbox.js";

const WAITING = new Set(["pending", "sending"]);

/** This volunteer's referral steps in the outbox (tombstones left out), oldest first. */
export async function localSteps(me) {
  try {
    return (await list()).filter((e) => isEvent(e) && (!e.owner || !me || e.owner === me));
  } catch {
    return []; // no outbox database: no steps kept
  }
}

/** The appointment the latest `scheduled` event made, or null. */
export function latestAppointment(events) {
  const scheduled = (events || []).filter((e) => e.type === "scheduled" && e.appointment_at);
  scheduled.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const last = scheduled[scheduled.length - 1];
  return last ? { appointment_at: last.appointment_at, place: last.place, with_partner: last.with_partner } : null;
}

// The server's transitions (fieldapp/followup/operations.py), as far as the phone needs them.
function move(status, type) {
  if (status === "closed") return status;
  if (type === "closed" || type === "scheduled") return type;
  if (type === "contacted" && status === "open") return "contacted";
  return status;
}

/** The card with this phone's steps applied: {...card, status, assignee, appointment, waiting:
 * [entries not sent yet], attention: [entries the server refused]}. */
export function withSteps(card, steps, fetchedAt) {
  const since = Date.parse(fetchedAt || 0) || 0;
  const own = steps.filter((s) => s.referral === card.id);
  const waiting = own.filter((s) => WAITING.has(s.status));
  const attention = own.filter((s) => s.status === "needs_attention");
  const unseen = own.filter((s) => WAITING.has(s.status) || (s.status === "sent" && (s.sent_at || 0) > since));
  let { status, assignee } = card;
  let appointment = latestAppointment(card.events);
  for (const step of unseen) {
    const body = step.payload || {};
    if (body.type === "assigned") assignee = body.assignee;
    else status = move(status, body.type);
    if (body.type === "scheduled") {
      appointment = { appointment_at: body.appointment_at, place: body.place, with_partner: body.with_partner || null };
    }
  }
  return { ...card, status, assignee, appointment, waiting, attention };
}

/** Past its due date and not closed, by the phone's calendar (the copy may be days old). */
export function isOverdue(card, today = new Date()) {
  if (card.status === "closed" || !card.due_date) return false;
  const [y, m, d] = card.due_date.split("-").map(Number);
  return new Date(y, m - 1, d) < new Date(today.getFullYear(), today.getMonth(), today.getDate());
}

/** A due date ("2026-12-05") as a local Date. */
export function dueDate(card) {
  if (!card.due_date) return null;
  const [y, m, d] = card.due_date.split("-").map(Number);
  return new Date(y, m - 1, d);
}
