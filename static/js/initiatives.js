/* The running initiatives (koppelkansen) my organisation takes part in, which a record may name:
 * fetched when there is a line and kept in localStorage, so the form offers them offline too.
 */
import { request } from "./http.js";
import { readJSON, writeJSON } from "./storage.js";

const LIST = "fieldapp.initiatives";
const LIST_URL = "/api/v1/initiatives?status=running&mine=true";

export const cachedInitiatives = () => readJSON(LIST, []);

/** Resolves to the list this phone has, fetched afresh when there is a line. */
export function refreshInitiatives() {
  return request("GET", LIST_URL)
    .then((r) => {
      if (r.ok && r.data) writeJSON(LIST, r.data.initiatives.map((i) => ({ id: i.id, title: i.title })));
    }, () => { /* offline: the kept list */ })
    .then(() => cachedInitiatives());
}

/** At logout: the next volunteer may work for another organisation. */
export function forgetInitiatives() {
  try { localStorage.removeItem(LIST); } catch { /* not fatal */ }
}
