/* The server's checks, applied on the phone before a record leaves it, with the server's msgids.
 * Every limit, required field and rule between fields comes from /field/codes.json, which reads
 * them from the record schema (fieldapp/records/schemas.py: its validators and FIELD_RULES).
 */

/** Characters as the server counts them: code points, after trimming. */
export const charCount = (text) => Array.from(text.trim()).length;

// Answered: not null, "" or an empty list (the schema's given()).
const given = (value) => (Array.isArray(value) ? value.length > 0 : !!value);

function holds(rule, p) {
  return (!rule.on.length || rule.on.includes(p.channel)) && (!rule.off.length || !rule.off.includes(p.channel)) &&
    !(rule.without && given(p[rule.without]));
}

const outside = (n, { min, max }) => typeof n !== "number" || n < min || n > max;

/** {field: [{msgid}]} for a payload; one message per field, the first found. `consentAnswered`:
 * the resident was asked about contact (a payload cannot tell "no" from "not asked"). */
export function check(p, rules, { consentAnswered }) {
  const errors = {};
  const add = (field, msgid) => { errors[field] ??= [{ msgid }]; };
  // The schema's validators.
  if (p.house_number !== null && outside(p.house_number, rules.house_number)) add("house_number", rules.house_number.message);
  if (p.house_addition && p.house_addition.length > rules.house_addition.max) add("house_addition", rules.house_addition.message);
  if ((p.measures || []).some((m) => !m.not_possible && outside(m.quantity, rules.quantity))) add("measures", rules.quantity.message);
  if ((p.handed_out || []).some((m) => outside(m.quantity, rules.quantity))) add("handed_out", rules.quantity.message);
  if (p.notes && charCount(p.notes) > rules.notes.max) add("notes", rules.notes.message);
  if (new Date(p.occurred_at).getTime() > Date.now() + rules.future.tolerance_seconds * 1000) add("occurred_at", rules.future.message);
  // Its required fields, in the form's words where it has its own.
  for (const field of rules.required.fields) {
    if (!given(p[field])) add(field, rules.messages[field] || rules.required.message);
  }
  // Its rules between fields.
  for (const rule of rules.field_rules) {
    if (holds(rule, p) && given(p[rule.field]) === (rule.need === "forbidden")) add(rule.field, rule.message);
  }
  if (p.referrals?.length && !consentAnswered) add("referrals", rules.messages.referrals);
  return errors;
}
