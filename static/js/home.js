/* Home: who is signed in, streets near me (or by name), my recent records, what is not sent yet. */
import { N_, formatDateTime, locale, ready, say, t, unsay } from "./i18n.js";
import { request } from "./http.js";
import { loadCodes } from "./codes.js";
import { isRecord, list } from "./outbox.js";
import { confirmLogout } from "./offline/logout.js";
import * as session from "./session.js";
import { cachedStreets, chooseStreet, chosenStreet, refreshStreets } from "./streets.js";

const $ = (id) => document.getElementById(id);
let channels = {}; // code → msgid

// --- streets ---------------------------------------------------------------------------------------
function showChosen() {
  const chosen = chosenStreet();
  $("chosen-street").hidden = !chosen;
  if (chosen) $("chosen-street-name").textContent = chosen.name;
}

function formatDistance(metres) {
  return t(N_("%(distance)s m"), { distance: new Intl.NumberFormat(locale(), { maximumFractionDigits: 0 }).format(metres) });
}

function streetButton(street, chosen) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "street-choice";
  button.setAttribute("aria-pressed", String(chosen?.id === street.id));
  const name = document.createElement("span");
  name.textContent = street.name;
  button.append(name);
  if (street.distance_m !== null && street.distance_m !== undefined) {
    const d = document.createElement("span");
    d.className = "distance";
    d.dataset.distance = String(street.distance_m);
    d.textContent = formatDistance(street.distance_m);
    button.append(d);
  }
  button.addEventListener("click", () => {
    chooseStreet(street);
    $("street-list").querySelectorAll(".street-choice").forEach((b) => b.setAttribute("aria-pressed", "false"));
    button.setAttribute("aria-pressed", "true");
    showChosen();
  });
  return button;
}

function renderStreets(streets) {
  const chosen = chosenStreet();
  $("street-list").replaceChildren(...streets.map((street) => {
    const li = document.createElement("li");
    li.append(streetButton(street, chosen));
    return li;
  }));
  if (!streets.length) say($("streets-message"), N_("No streets found."));
}

async function loadStreets(query) {
  say($("streets-message"), N_("Loading…"));
  let r;
  try {
    r = await request("GET", `/api/v1/streets?${query}`);
  } catch {
    const q = (new URLSearchParams(query).get("q") || "").toLowerCase();
    renderStreets(cachedStreets().filter((s) => !q || s.name.toLowerCase().includes(q)).slice(0, 10));
    say($("streets-message"), N_("Offline: showing saved streets."));
    return;
  }
  unsay($("streets-message"));
  if (!r.ok) {
    say($("streets-message"), N_("Could not load the streets."));
    return;
  }
  // Near me: the nearest street is the likely one; preselect it for the next form.
  if (/near=/.test(query) && r.data.streets.length) chooseStreet(r.data.streets[0]);
  renderStreets(r.data.streets);
  showChosen();
}

function locate() {
  if (!navigator.geolocation) {
    say($("streets-message"), N_("Location is not available. Search by name."));
    return;
  }
  say($("streets-message"), N_("Finding your location…"));
  navigator.geolocation.getCurrentPosition((pos) => {
    loadStreets(`near=${pos.coords.latitude.toFixed(5)},${pos.coords.longitude.toFixed(5)}&limit=5`);
  }, () => {
    say($("streets-message"), N_("Location is not available. Search by name."));
    $("street-q").focus();
  }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
}

// --- records: on the server, or still on this phone ---------------------------------------------------
function streetName(id) {
  return cachedStreets().find((s) => s.id === id)?.name || `#${id}`;
}

/** One line per record: channel, street and house number, local time. */
function recordItem(record) {
  const what = document.createElement("span");
  what.className = "what";
  say(what, channels[record.channel] || record.channel);
  const where = document.createElement("span");
  where.className = "where";
  const house = record.house_number ? ` ${record.house_number}${record.house_addition ? `-${record.house_addition}` : ""}` : "";
  where.textContent = streetName(record.street_id) + house;
  const when = document.createElement("time");
  when.dateTime = record.occurred_at;
  when.dataset.when = record.occurred_at;
  when.textContent = formatDateTime(new Date(record.occurred_at));
  const li = document.createElement("li");
  li.append(what, where, when);
  return li;
}

async function loadRecent() {
  let r;
  try {
    r = await request("GET", "/api/v1/records?limit=10");
  } catch {
    say($("recent-message"), N_("Offline: recent records are shown when you are online."));
    return;
  }
  if (r.status === 401) location.replace(session.loginUrl());
  else if (r.ok) {
    $("recent-list").replaceChildren(...r.data.records.map(recordItem));
    if (!r.data.records.length) say($("recent-message"), N_("No records yet."));
  }
}

// Not sent yet: this volunteer's records still on the phone, newest first. (How many there
// are is the status bar's to say: one place, one wording.)
let unsentAsked = 0;
async function refreshUnsent(me) {
  const asked = ++unsentAsked;
  let entries;
  try {
    entries = await list();
  } catch {
    return; // no outbox database: nothing to list
  }
  if (asked !== unsentAsked) return; // a later answer is on its way
  // Records only: a follow-up's step waits on its card in "My follow-ups".
  const mine = entries.filter((e) => isRecord(e) && (!e.owner || e.owner === me) && e.payload && (e.status === "pending" || e.status === "sending"));
  $("unsent-list").replaceChildren(...mine.reverse().map((entry) => {
    const li = recordItem(entry.payload);
    li.dataset.uuid = entry.uuid;
    return li;
  }));
  $("unsent").hidden = !mine.length;
}

// Numbers and times are formatted here, not by the catalog: redo them once it (or another) is in.
function reformat() {
  document.querySelectorAll("#street-list .distance").forEach((d) => { d.textContent = formatDistance(Number(d.dataset.distance)); });
  document.querySelectorAll("#recent-list time, #unsent-list time").forEach((el) => { el.textContent = formatDateTime(new Date(el.dataset.when)); });
}

// --- start --------------------------------------------------------------------------------------------
const signedIn = session.requireSession();
if (signedIn) {
  const me = signedIn.user.username;
  say($("whoami"), N_("Logged in as %(username)s"), { username: me });
  say($("unsent-heading"), N_("Not sent yet"));
  // The revisit queue is the taalcoaches' (and their coordinators'); the API refuses others.
  $("revisits-tile").hidden = !["taalcoach", "coordinator", "admin"].includes(signedIn.user?.role);
  $("logout").addEventListener("click", async () => {
    if (!(await confirmLogout())) return;
    session.clear();
    location.assign("/field/login");
  });
  $("locate").addEventListener("click", locate);
  $("street-search").addEventListener("submit", (event) => {
    event.preventDefault();
    loadStreets(`q=${encodeURIComponent($("street-q").value.trim())}&limit=10`);
  });
  document.addEventListener("fieldapp:outbox", () => refreshUnsent(me));
  document.addEventListener("fieldapp:locale", reformat);
  ready.then(reformat);
  showChosen();
  refreshUnsent(me);
  loadCodes().then(async (codes) => {
    channels = Object.fromEntries((codes?.channels || []).map((c) => [c.code, c.msgid]));
    refreshUnsent(me);
    await refreshStreets();
    refreshUnsent(me);
    loadRecent();
  });
  navigator.permissions?.query({ name: "geolocation" }).then((status) => {
    if (status.state === "granted") locate();
  }, () => { /* wait for the button */ });
}
