/* The appointment card: day, time, place, who comes and what they do, that the help is free
 * and independent, and the organisation's phone number, in the resident's language (nl, tr,
 * ti or so, chosen here whatever the interface's). Never a name or a house number. It is
 * built from the follow-ups kept on this phone, so it also works offline.
 */
import { N_, formatAppointment, ready, say, setScopeLocale, targetLocale, unsay } from "./i18n.js";
import * as session from "./session.js";
import { readCopy } from "./desk/copies.js";
import { deskLabels } from "./desk/labels.js";
import { localSteps, withSteps } from "./desk/steps.js";

const CARD_LOCALES = ["nl", "tr", "ti", "so"];
// The place as the resident reads it ("at your home"), not as the volunteer picked it.
const PLACES = {
  home: N_("At your home"),
  loket: N_("At the energieloket"),
  other: N_("At the place we agreed on"),
};

const $ = (id) => document.getElementById(id);
const card = $("appointment-card");
const chips = document.querySelectorAll("[data-card-lang]");
let chosen = null; // the resident's language, once known
let referral = null;
let labels = null;

function problem(msgid) {
  const line = $("appointment-problem");
  line.hidden = !msgid;
  if (msgid) say(line, msgid);
  else unsay(line);
}

/** The referral with this phone's steps, from the kept follow-ups; null when not on the phone. */
async function findReferral(id) {
  const copy = readCopy("followups");
  const cards = [...(copy?.data?.mine || []), ...(copy?.data?.unassigned || [])];
  const found = cards.find((c) => c.id === id);
  if (!found) return null;
  return withSteps(found, await localSteps(session.username()), copy.fetched_at);
}

function fillWho(appointment) {
  const codes = [referral.partner, appointment.with_partner].filter((code, i, all) => code && all.indexOf(code) === i);
  $("appointment-who").replaceChildren(...codes.map((code) => {
    const li = document.createElement("li");
    const name = document.createElement("strong");
    name.textContent = labels.partners[code]?.name || code;
    li.append(name);
    if (labels.roles[code]) {
      const role = document.createElement("span");
      role.className = "appointment-role";
      say(role, labels.roles[code]);
      li.append(role);
    }
    return li;
  }));
  const partner = labels.partners[referral.partner];
  if (partner?.phone) {
    say($("appointment-phone"), N_("Questions, or does this time not suit you? Call %(organisation)s: %(phone)s"),
      // A number broken over two lines gets dialled wrong: no-break spaces inside it.
      { organisation: partner.name, phone: partner.phone.replace(/ /g, "\u00a0") });
    $("appointment-phone").hidden = false;
  } else {
    unsay($("appointment-phone"));
    $("appointment-phone").hidden = true;
    problem(N_("This organisation has no phone number in the app yet. Ask a coordinator to add it."));
  }
}

// Day and time are formatted for the card's language, not by the catalog: redo them on each switch.
function fillWhen(code) {
  const when = formatAppointment(new Date(referral.appointment.appointment_at), code);
  $("appointment-day").textContent = when.day;
  $("appointment-time").textContent = when.time;
}

async function show(code) {
  chips.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.cardLang === code)));
  try {
    await setScopeLocale(card, code);
  } catch {
    /* offline and not cached: keep the text */
  }
  if (referral?.appointment) fillWhen(code);
  card.dataset.lang = code;
}

async function start() {
  const id = Number(new URLSearchParams(location.search).get("referral"));
  labels = await deskLabels();
  referral = Number.isInteger(id) && id > 0 ? await findReferral(id) : null;
  if (!referral) {
    problem(N_("This follow-up is not on this phone. Open My follow-ups once with a connection."));
    return;
  }
  if (!referral.appointment || referral.status === "closed") {
    problem(N_("No appointment has been made for this follow-up."));
    return;
  }
  const appointment = referral.appointment;
  say($("appointment-place"), PLACES[appointment.place] || PLACES.other);
  fillWho(appointment);
  if (CARD_LOCALES.includes(referral.language)) chosen = referral.language;
  await show(chosen || targetLocale());
  card.hidden = false;
  $("print").disabled = false;
}

chips.forEach((button) => button.addEventListener("click", () => {
  chosen = button.dataset.cardLang;
  show(chosen);
}));
// Until the resident's language is known the card follows the interface's.
document.addEventListener("fieldapp:locale", (event) => { if (!chosen && referral?.appointment) show(event.detail.locale); });
$("print").addEventListener("click", () => window.print());
$("print").disabled = true;

if (session.requireSession()) {
  ready.then(start).finally(() => { document.querySelector("main").dataset.ready = "true"; });
}
