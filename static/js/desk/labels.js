/* The desk's words: the code lists' labels (msgids from codes.json), the names of the steps a
 * referral takes, and the resident's language by its own name.
 */
import { N_ } from "../i18n.js";
import { loadCodes } from "../codes.js";

/** A step as the phone names it in lists (the same msgids as the statuses it leads to). */
export const STEP_LABELS = {
  contacted: N_("Contacted"),
  scheduled: N_("Appointment made"),
  closed: N_("Closed"),
  assigned: N_("Taken"),
};

const byCode = (rows) => Object.fromEntries((rows || []).map((row) => [row.code, row.msgid]));

/** Resolves to {referral, status, place, outcome, doorOutcome, channel: code → msgid;
 * languages: code → endonym; partners: code → {code, name, phone}; roles: code → msgid}. */
export async function deskLabels() {
  const codes = await loadCodes();
  const lists = codes?.lists || {};
  return {
    referral: byCode(lists.referral),
    status: byCode(lists.followup_status),
    place: byCode(lists.place),
    outcome: byCode(lists.closing_outcome),
    doorOutcome: byCode(lists.outcome),
    channel: byCode(codes?.channels),
    languages: Object.fromEntries((codes?.languages || []).map((l) => [l.code, l.endonym])),
    partners: Object.fromEntries((codes?.partners || []).map((p) => [p.code, p])),
    roles: codes?.partner_roles || {},
  };
}

/** The language's own name (ትግርኛ, Soomaali), as the resident would say it. */
export function languageName(code, labels) {
  if (!code) return "";
  if (labels?.languages?.[code]) return labels.languages[code];
  try {
    const name = new Intl.DisplayNames([code], { type: "language" }).of(code);
    if (name && name !== code) return name[0].toUpperCase() + name.slice(1);
  } catch {
    /* not a language Intl knows */
  }
  return code;
}
