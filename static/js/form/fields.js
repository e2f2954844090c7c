/* The record's fields as the form holds them: one description, read to build the payload that
 * is sent and written to fill the form from one (a correction opened by "Fix").
 *
 * Each field names the kind of control that holds it; a field with a `section` is in the
 * payload only when the channel's form has that section (or a default for it).
 */
const pad = (n) => String(n).padStart(2, "0");

/** A Date as a datetime-local input shows it (the phone's time). */
export const localInputValue = (d) =>
  `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;

/** A Date as the API takes it: the phone's local time with its UTC offset. */
export function isoWithOffset(d) {
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  return `${localInputValue(d)}:${pad(d.getSeconds())}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const inputs = (form, name) => [...form.querySelectorAll(`input[name="${name}"]`)];
export const checked = (form, name) => inputs(form, name).filter((i) => i.checked).map((i) => i.value);
// Writing fires the events a tap would, so the form's own reactions (consent block, steppers,
// the chosen street, clearing old complaints) follow.
const fire = (el, type) => el.dispatchEvent(new Event(type, { bubbles: true }));

function choose(form, name, values) {
  const wanted = [].concat(values ?? []).map(String);
  for (const input of inputs(form, name)) {
    if (input.disabled) continue; // the volunteer's own partner stays ticked
    input.checked = wanted.includes(input.value);
    fire(input, "change");
  }
}

// How each kind of control holds a value: read(form, name) and write(form, name, value).
const KINDS = {
  text: { // trimmed; empty is null
    read: (form, name) => form.elements.namedItem(name)?.value.trim() || null,
    write(form, name, value) {
      const el = form.elements.namedItem(name);
      if (!el || (el.length !== undefined && el.tagName !== "SELECT")) return;
      value = value ?? "";
      if (el.tagName === "SELECT" && value !== "" && ![...el.options].some((o) => o.value === String(value))) {
        el.add(new Option(String(value), String(value))); // a street no longer in the kept list
      }
      el.value = String(value);
      fire(el, "change");
    },
  },
  optionalText: { // a hidden field whose empty value leaves the field out of the payload
    read: (form, name) => form.elements.namedItem(name).value || undefined,
    write: (form, name, value) => KINDS.text.write(form, name, value),
  },
  optionalId: { // a select of ids whose empty choice leaves the field out of the payload
    read: (form, name) => KINDS.id.read(form, name) ?? undefined,
    write: (form, name, value) => KINDS.text.write(form, name, value),
  },
  id: { // a select of ids
    read: (form, name) => (form.elements.namedItem(name).value ? Number(form.elements.namedItem(name).value) : null),
    write: (form, name, value) => KINDS.text.write(form, name, value),
  },
  houseNumber: { // digits are a number; anything else goes as typed, for the check to name
    read(form, name) {
      const typed = form.elements.namedItem(name)?.value.trim() || "";
      if (typed === "") return null;
      return /^\d+$/.test(typed) ? Number(typed) : typed;
    },
    write: (form, name, value) => KINDS.text.write(form, name, value),
  },
  time: { // the phone's local time, sent with its UTC offset; now when empty
    read(form, name) {
      const value = form.elements.namedItem(name)?.value;
      return isoWithOffset(value ? new Date(value) : new Date());
    },
    write(form, name, value) {
      const when = new Date(value);
      const input = form.elements.namedItem(name);
      if (input && !isNaN(when)) input.value = localInputValue(when);
    },
  },
  one: { // radio chips
    read: (form, name) => checked(form, name)[0] || null,
    write: (form, name, value) => value !== undefined && choose(form, name, value),
  },
  many: { // checkbox chips
    read: (form, name) => checked(form, name),
    write: (form, name, value) => value !== undefined && choose(form, name, value),
  },
  flag: { // one checkbox
    read: (form, name) => !!form.elements.namedItem(name)?.checked,
    write(form, name, value) {
      const box = form.querySelector(`input[name="${name}"]`);
      if (!box) return;
      box.checked = !!value;
      fire(box, "change");
    },
  },
  measures: { // a stepper per measure: installed when above zero, or not possible with its reason
    read(form) {
      const measures = [];
      for (const input of inputs(form, "measure")) {
        const reason = form.querySelector(`select[name="not_possible"][data-code="${input.dataset.code}"]`)?.value;
        if (reason) {
          measures.push({ code: input.dataset.code, not_possible: reason });
          continue;
        }
        const raw = input.value.trim();
        const n = /^\d+$/.test(raw) ? parseInt(raw, 10) : raw;
        if (n !== 0 && raw !== "") measures.push({ code: input.dataset.code, quantity: n });
      }
      return measures;
    },
    write(form, name, value) {
      const byCode = Object.fromEntries((value || []).map((m) => [m.code, m]));
      for (const input of inputs(form, "measure")) {
        input.value = String(byCode[input.dataset.code]?.quantity || 0);
        fire(input, "input");
      }
      for (const select of form.querySelectorAll('select[name="not_possible"]')) {
        select.value = byCode[select.dataset.code]?.not_possible || "";
        fire(select, "change");
      }
    },
  },
  handedOut: { // a stepper per item; left out of the payload when nothing was handed out
    read(form) {
      const items = [];
      for (const input of inputs(form, "handed")) {
        const raw = input.value.trim();
        const n = /^\d+$/.test(raw) ? parseInt(raw, 10) : raw;
        if (n !== 0 && raw !== "") items.push({ code: input.dataset.code, quantity: n });
      }
      return items.length ? items : undefined;
    },
    write(form, name, value) {
      const quantities = Object.fromEntries((value || []).map((m) => [m.code, m.quantity]));
      for (const input of inputs(form, "handed")) {
        input.value = String(quantities[input.dataset.code] || 0);
        fire(input, "input");
      }
    },
  },
  referrals: { // the follow-ups ticked, with the resident's one answer about contact
    read(form, name) {
      const consent = checked(form, "consent")[0] === "yes";
      return checked(form, name).map((code) => ({ code, consent }));
    },
    write(form, name, value) {
      const referrals = value || [];
      choose(form, name, referrals.map((r) => r.code));
      if (referrals.length) choose(form, "consent", referrals[0].consent ? "yes" : "no");
    },
  },
};

// In the order the payload has always had its keys (a stored body is compared as JSON);
// `ownership` took the place of the `ambassador` flag.
const FIELDS = [
  { name: "street_id", kind: "id" },
  { name: "house_number", kind: "houseNumber" },
  { name: "house_addition", kind: "text" },
  { name: "occurred_at", kind: "time" },
  { name: "language", kind: "one" },
  { name: "taalcoach_present", kind: "flag" },
  { name: "ownership", kind: "many", section: "ownership" },
  { name: "topics", kind: "many" },
  { name: "partners", kind: "many" },
  { name: "notes", kind: "text" },
  { name: "outcome", kind: "one", section: "outcome" },
  { name: "heard_via", kind: "one", section: "heard_via" },
  { name: "measures", kind: "measures", section: "measures" },
  { name: "referrals", kind: "referrals", section: "referrals" },
  // Last, and left out when none is chosen: a payload without it is the one sent before it existed.
  { name: "initiative", kind: "optionalId", section: "initiative" },
  { name: "meeting", kind: "optionalText", section: "meeting" },
  { name: "handed_out", kind: "handedOut", section: "handed_out" },
];

const sectionsOf = (form) => new Set([...form.querySelectorAll("[data-section]")].map((s) => s.dataset.section));

/** The payload the form holds now; `defaults` answer for sections this channel's form leaves out. */
export function read(form, defaults = {}) {
  const sections = sectionsOf(form);
  const payload = { channel: form.dataset.channel };
  for (const { name, kind, section } of FIELDS) {
    if (!section || sections.has(section)) {
      const value = KINDS[kind].read(form, name);
      if (value !== undefined) payload[name] = value;
    }
    else if (defaults[name] !== undefined) payload[name] = defaults[name];
  }
  return payload;
}

// An outbox entry made before ownership codes holds `ambassador: true`: it is that code, so a
// correction opened from it ("Fix") keeps it ticked.
function withOwnership(payload) {
  if (!payload?.ambassador) return payload;
  return { ...payload, ownership: [...new Set([...(payload.ownership || []), "ambassador"])] };
}

/** Fill the form from a payload. */
export function write(form, payload) {
  payload = withOwnership(payload);
  for (const { name, kind } of FIELDS) KINDS[kind].write(form, name, payload[name]);
}

/** Fill only the fields `values` names (a revisit opened from the queue); the rest stay as they are. */
export function prefill(form, values) {
  values = withOwnership(values);
  for (const { name, kind } of FIELDS) if (values[name] !== undefined) KINDS[kind].write(form, name, values[name]);
}
