/* The neighbourhood's streets on this phone: the chosen one (preselected on every form) and
 * the full list, kept for offline use in localStorage and, because it is fetched through the
 * service worker, in the worker's cache (which answers "near me" offline).
 */
import { request } from "./http.js";
import { readJSON, writeJSON } from "./storage.js";

const CHOSEN = "fieldapp.street";
const LIST = "fieldapp.streets";
const FETCHED_AT = "fieldapp.offline.streets_at";
const LIST_URL = "/api/v1/streets?limit=500";

export const chosenStreet = () => readJSON(CHOSEN, null);
export const chooseStreet = (street) => writeJSON(CHOSEN, { id: street.id, name: street.name });
export const cachedStreets = () => readJSON(LIST, []);

let fetching = null;

/** Fetch the full list when there is a line; resolves to the list this phone has. `olderThanMs`:
 * only if the last fetch is older (background upkeep, so the worker's copy stays fresh). */
export function refreshStreets({ olderThanMs } = {}) {
  const last = Number(localStorage.getItem(FETCHED_AT) || 0);
  if (olderThanMs && Date.now() - last < olderThanMs) return Promise.resolve(cachedStreets());
  fetching ??= request("GET", LIST_URL)
    .then((r) => {
      if (r.ok && r.data) {
        writeJSON(LIST, r.data.streets.map((s) => ({ id: s.id, name: s.name })));
        localStorage.setItem(FETCHED_AT, String(Date.now()));
      }
    }, () => { /* offline: the kept list */ })
    .then(() => cachedStreets())
    .finally(() => { fetching = null; });
  return fetching;
}

/** At logout: the worker's copy goes, and the next login fetches the list afresh. */
export function forgetStreets() {
  localStorage.removeItem(FETCHED_AT);
  if (window.caches) caches.delete("fieldapp-runtime");
}
