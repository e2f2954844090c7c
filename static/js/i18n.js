/* The interface language: switch it in place, offline, without a reload. The one locale helper.
 *
 * All four catalogs are fetched once (the service worker keeps them), so a switch only
 * rewrites text. Elements carry their msgid: data-i18n (text), data-i18n-placeholder,
 * data-i18n-aria-label, data-i18n-title, data-i18n-params (JSON), data-i18n-meta (a value
 * from the catalog's meta, e.g. a date Babel formatted). An element inside
 * [data-i18n-lang="xx"] is rendered in xx whatever the interface language (the resident card).
 * Modules mark their msgids with N_("...") so extraction finds them. A switch is announced
 * with the document event "fieldapp:locale" ({locale, previous}).
 */
const html = document.documentElement;
const STORE_KEY = "fieldapp.lang";
export const SUPPORTED = ["nl", "tr", "ti", "so", "en"];
const ATTRS = ["placeholder", "aria-label", "title"];
const SELECTOR = ["[data-i18n]", "[data-i18n-meta]", ...ATTRS.map((a) => `[data-i18n-${a}]`)].join(",");
const base = html.dataset.i18nBase || "/field/i18n/";
const catalogs = {};
const loading = {};

// Object.hasOwn is newer than the Safari the outbox still serves (see outbox/locks.js).
const has = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

/** Marks a msgid for extraction; the text is translated where it is shown. */
export const N_ = (msgid) => msgid;

let current = SUPPORTED.includes(html.lang) ? html.lang : "nl";
const wanted = wantedLocale();
let target = wanted || current;

/** The language the interface is in. */
export const locale = () => current;
/** The language the interface is in or is switching to. Code that chooses something by
 * language reads this: locale() still names a cached page's language until its catalog is here. */
export const targetLocale = () => target;

function load(code) {
  if (catalogs[code]) return Promise.resolve(catalogs[code]);
  loading[code] ??= fetch(`${base}${code}.json`, { credentials: "same-origin" })
    .then((r) => {
      if (!r.ok) throw new Error(`catalog ${code}: HTTP ${r.status}`);
      return r.json();
    })
    .then((data) => (catalogs[code] = data))
    .catch((err) => {
      delete loading[code];
      throw err;
    });
  return loading[code];
}

function interpolate(text, params) {
  if (!params) return text;
  return text.replace(/%\((\w+)\)[sd]/g, (whole, key) => (has(params, key) ? String(params[key]) : whole));
}

/** Translate into a given language (e.g. the resident's); %(name)s placeholders from params. */
export function tIn(code, msgid, params) {
  return interpolate(catalogs[code]?.messages[msgid] || msgid, params);
}

/** Translate into the interface language. */
export const t = (msgid, params) => tIn(current, msgid, params);

/** The singular or the plural msgid by n, with n as %(count)d. */
export const plural = (one, many, n) => t(n === 1 ? one : many, { count: n });

/** Give an element a msgid (and params): it shows the text now and follows every switch. */
export function say(el, msgid, params) {
  el.setAttribute("data-i18n", msgid);
  if (params) el.setAttribute("data-i18n-params", JSON.stringify(params));
  else el.removeAttribute("data-i18n-params");
  el.textContent = tIn(localeOf(el), msgid, params);
}

/** Empty an element that say() filled. */
export function unsay(el) {
  el.removeAttribute("data-i18n");
  el.removeAttribute("data-i18n-params");
  el.textContent = "";
}

function localeOf(el) {
  return el.closest("[data-i18n-lang]")?.getAttribute("data-i18n-lang") || current;
}

function paramsOf(el) {
  try {
    return JSON.parse(el.getAttribute("data-i18n-params") || "null");
  } catch {
    return null;
  }
}

function renderElement(el) {
  const code = localeOf(el);
  // A language whose catalog is not here yet keeps the text it has rather than falling back to English.
  if (code !== "en" && !catalogs[code]) return;
  const params = paramsOf(el);
  const msgid = el.getAttribute("data-i18n");
  if (msgid) el.textContent = tIn(code, msgid, params);
  const metaText = catalogs[code]?.meta[el.getAttribute("data-i18n-meta")];
  if (metaText) el.textContent = metaText;
  for (const attr of ATTRS) {
    const id = el.getAttribute(`data-i18n-${attr}`);
    if (id) el.setAttribute(attr, tIn(code, id, params));
  }
}

export function render(root = document) {
  if (root.nodeType === 1 && root.matches(SELECTOR)) renderElement(root);
  root.querySelectorAll(SELECTOR).forEach(renderElement);
}

const pad2 = (n) => String(n).padStart(2, "0");

/** A date by a CLDR pattern, with the names of months (short and wide) and weekdays the
 * catalog's meta gives: Chromium's Intl has no Tigrinya or Somali. */
function formatPattern(date, pattern, names) {
  const hours = date.getHours();
  const fields = {
    d: String(date.getDate()), dd: pad2(date.getDate()),
    M: String(date.getMonth() + 1), MM: pad2(date.getMonth() + 1),
    y: String(date.getFullYear()), yyyy: String(date.getFullYear()), yy: pad2(date.getFullYear() % 100),
    H: String(hours), HH: pad2(hours), h: String(hours % 12 || 12), hh: pad2(hours % 12 || 12),
    m: String(date.getMinutes()), mm: pad2(date.getMinutes()), a: hours < 12 ? names.am : names.pm,
  };
  if (names.short) fields.MMM = fields.LLL = names.short[date.getMonth()];
  if (names.wide) fields.MMMM = fields.LLLL = names.wide[date.getMonth()];
  if (names.days) fields.EEEE = fields.cccc = names.days[date.getDay()];
  // 'quoted' text is literal; a run of one letter is a field.
  return pattern.replace(/'([^']*)'|([A-Za-z])\2*/g, (whole, quoted) => {
    if (quoted !== undefined) return quoted || "'";
    return has(fields, whole) ? fields[whole] : whole;
  });
}

/** A local date and time by the catalog's CLDR pattern (medium date, short time). */
export function formatDateTime(date, code = current) {
  const spec = catalogs[code]?.meta.datetime;
  if (!spec || isNaN(date)) return date.toLocaleString(code);
  return formatPattern(date, spec.pattern, { short: spec.months, am: spec.am, pm: spec.pm });
}

/** A calendar day by the catalog's CLDR medium date pattern. */
export function formatDate(date, code = current) {
  const spec = catalogs[code]?.meta.datetime;
  if (!spec?.date || isNaN(date)) return date.toLocaleDateString(code);
  return formatPattern(date, spec.date, { short: spec.months, am: spec.am, pm: spec.pm });
}

/** An appointment as a resident reads it in `code`: {day: the full date with its weekday, time}. */
export function formatAppointment(date, code = current) {
  const spec = catalogs[code]?.meta.appointment;
  if (!spec || isNaN(date)) {
    return { day: date.toLocaleDateString(code, { dateStyle: "full" }), time: date.toLocaleTimeString(code, { timeStyle: "short" }) };
  }
  const names = { wide: spec.months, days: spec.days, am: spec.am, pm: spec.pm };
  return { day: formatPattern(date, spec.date, names), time: formatPattern(date, spec.time, names) };
}

/** The msgid behind a text the server translated into `code`, so it can switch language too. */
export function msgidFor(text, code) {
  // First the language it was sent in; an outbox may replay in another, so then the rest.
  for (const c of [code, ...SUPPORTED.filter((other) => other !== code)]) {
    const messages = catalogs[c]?.messages;
    if (!messages) continue;
    for (const key in messages) if (messages[key] === text) return key;
  }
  // An English msgid is its own text.
  return Object.values(catalogs).some((catalog) => has(catalog.messages, text)) ? text : null;
}

/** Render an element subtree in language `code` (independent of the interface language). */
export async function setScopeLocale(el, code) {
  const catalog = await load(code);
  el.setAttribute("data-i18n-lang", code);
  el.setAttribute("lang", code);
  el.setAttribute("dir", catalog.meta.dir || "ltr");
  render(el);
}

function remember(code) {
  try {
    localStorage.setItem(STORE_KEY, code);
  } catch {
    /* private mode: the cookie remains */
  }
}

export async function setLocale(code) {
  if (!SUPPORTED.includes(code)) throw new Error(`unsupported locale ${code}`);
  target = code;
  let catalog;
  try {
    catalog = await load(code);
  } catch (err) {
    if (target === code) target = current;
    throw err;
  }
  // A newer choice was made while this catalog loaded (a tap during the page's own switch): it wins.
  if (target !== code) return current;
  const previous = current;
  current = code;
  html.lang = code;
  html.dir = catalog.meta.dir || "ltr";
  render(document);
  const titleId = html.dataset.title;
  if (titleId) document.title = `${t(titleId)} · fieldapp`;
  document.querySelectorAll("a[data-locale]").forEach((a) => {
    if (a.dataset.locale === code) a.setAttribute("aria-current", "true");
    else a.removeAttribute("aria-current");
  });
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `lang=${code}; path=/; max-age=31536000; SameSite=Lax${secure}`;
  remember(code);
  document.dispatchEvent(new CustomEvent("fieldapp:locale", { detail: { locale: code, previous } }));
  return code;
}

function readCookie(name) {
  const match = document.cookie.match(new RegExp(`(?:^|; )${name}=([^;]*)`));
  return match ? decodeURIComponent(match[1]) : null;
}

/** The explicit choice, as the server ranks it: ?lang=, then the cookie, then this phone's memory.
 * A page from the service worker's cache may have been rendered in another language. */
function wantedLocale() {
  let stored = null;
  try {
    stored = localStorage.getItem(STORE_KEY);
  } catch {
    /* private mode */
  }
  const candidates = [new URLSearchParams(location.search).get("lang"), readCookie("lang"), stored];
  return candidates.find((code) => code && SUPPORTED.includes(code)) || null;
}

/** Resolves (to the catalog, or null offline) once the page's own language is rendered:
 * modules may set data-i18n text before the catalog arrives. */
export const ready = load(current).then((catalog) => {
  render(document);
  return catalog;
}, () => null);

// Module scripts run once the document is parsed: the switcher is there.
if (target !== current) setLocale(target).catch(() => { /* offline and not cached: stay */ });
else if (wanted) remember(target);
// Fetch the other catalogs now, so a later switch needs no network and no wait.
SUPPORTED.forEach((code) => load(code).catch(() => { /* offline and not cached */ }));
if (html.hasAttribute("data-live-i18n")) {
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a[data-locale]");
    if (!link) return;
    event.preventDefault();
    setLocale(link.dataset.locale);
  });
}
