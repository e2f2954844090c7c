/* The revisit queue: doors where the language (or nobody at home) sent the volunteer away, by
 * street, for a taalcoach who speaks the language. "Log a revisit" opens the chosen channel's
 * form with the door filled in. Kept on the phone like the follow-ups.
 */
import { N_, formatDate, plural, ready, say, t } from "./i18n.js";
import { request } from "./http.js";
import * as session from "./session.js";
import { readCopy, refresh, sayCopy } from "./desk/copies.js";
import { deskLabels, languageName } from "./desk/labels.js";

const $ = (id) => document.getElementById(id);
const COPY = "revisits";

let labels = null;
let copy = null; // {fetched_at, data: {streets: [...], languages: [...]}}
let copyState = "loading"; // loading | fresh | offline | failed | forbidden

function el(tag, className, text) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

const channel = () => document.querySelector('input[name="revisit_channel"]:checked')?.value || "rally";

/** The form of the chosen channel with what is known about the door (form.js reads the query). */
function formLink(street, door) {
  const q = new URLSearchParams({ street_id: String(street.street_id), street: street.street, house_number: String(door.house_number ?? "") });
  if (door.house_addition) q.set("house_addition", door.house_addition);
  if (door.language) q.set("language", door.language);
  q.set("taalcoach_present", $("revisit-taalcoach").checked ? "1" : "0");
  return `/field/forms/${encodeURIComponent(channel())}?${q}`;
}

function doorItem(street, door) {
  const li = el("li", "revisit-door");
  li.dataset.house = `${door.house_number ?? ""}${door.house_addition ? `-${door.house_addition}` : ""}`;
  const head = el("div", "revisit-door__head");
  head.append(el("strong", "revisit-door__house", li.dataset.house || "–"));
  const language = el("span", "revisit-door__language", languageName(door.language, labels));
  if (door.language) language.lang = door.language;
  head.append(language);
  li.append(head);
  const facts = [plural(N_("1 attempt"), N_("%(count)d attempts"), door.attempts)];
  if (door.last_at) facts.push(t(N_("Last %(date)s"), { date: formatDate(new Date(door.last_at)) }));
  if (labels.doorOutcome[door.last_outcome]) facts.push(t(labels.doorOutcome[door.last_outcome]));
  li.append(el("p", "revisit-door__facts", facts.join(" · ")));
  const link = el("a", "btn secondary revisit-door__log", t(N_("Log a revisit")));
  link.href = formLink(street, door);
  li.append(link);
  return li;
}

function streetSection(street) {
  const section = el("section", "revisit-street");
  section.dataset.streetId = String(street.street_id);
  const heading = el("h2", "revisit-street__name", street.street);
  heading.id = `revisit-street-${street.street_id}`;
  section.setAttribute("aria-labelledby", heading.id);
  const doors = el("ul", "revisit-doors");
  doors.append(...street.entries.map((door) => doorItem(street, door)));
  section.append(heading, doors);
  return section;
}

function render() {
  if (!labels) return;
  if (copyState === "forbidden") say($("revisit-copy"), N_("The revisit queue is for taalcoaches and coordinators."));
  else sayCopy($("revisit-copy"), copy, copyState);
  const streets = copyState === "forbidden" ? [] : copy?.data?.streets || [];
  $("revisit-streets").replaceChildren(...streets.filter((s) => s.entries?.length).map(streetSection));
  $("revisit-empty").hidden = !copy || copyState === "forbidden" || streets.some((s) => s.entries?.length);
  document.querySelector("main").dataset.ready = "true";
}

async function fetchQueue() {
  const result = await refresh(COPY, () => request("GET", "/api/v1/revisits", { cache: "no-store" }));
  if (result.status === 401 && navigator.onLine) location.replace(session.loginUrl());
  copy = result.copy;
  copyState = result.fresh ? "fresh" : result.status === 403 ? "forbidden" : result.status === 0 ? "offline" : "failed";
  render();
}

const signedIn = session.requireSession();
if (signedIn) {
  // A taalcoach logging a revisit is the taalcoach who came along.
  $("revisit-taalcoach").checked = signedIn.user?.role === "taalcoach";
  copy = readCopy(COPY);
  deskLabels().then((found) => {
    labels = found;
    render();
    fetchQueue();
  });
  document.querySelector(".revisit-how").addEventListener("change", render);
  document.addEventListener("fieldapp:locale", render);
  window.addEventListener("online", fetchQueue);
  ready.then(render);
}
