/* The desk's lists (follow-ups, revisits) as last fetched, kept on this phone per volunteer so
 * the screens open in a stairwell. They hold addresses: logging out forgets them (offline/logout.js).
 */
import { N_, formatDateTime, say } from "../i18n.js";
import * as session from "../session.js";
import { readJSON, writeJSON } from "../storage.js";

const PREFIX = "fieldapp.desk.";
const keyOf = (name) => `${PREFIX}${name}.${session.username() || "-"}`;

/** {fetched_at (ISO), data} or null. */
export const readCopy = (name) => readJSON(keyOf(name), null);

/** `load()` resolves to {ok, status, data} (or rejects offline); a good answer becomes the kept
 * copy. Resolves to {copy, fresh, status}: fresh is false when the kept copy is all there is
 * (status 0: no answer at all). */
export async function refresh(name, load) {
  // The copy is the server's state when it was asked: a step sent while the answer was on its
  // way is newer than the copy, and shows as such.
  const asked = new Date().toISOString();
  let answer;
  try {
    answer = await load();
  } catch {
    return { copy: readCopy(name), fresh: false, status: 0 };
  }
  if (!answer.ok) return { copy: readCopy(name), fresh: false, status: answer.status };
  const copy = { fetched_at: asked, data: answer.data };
  writeJSON(keyOf(name), copy);
  return { copy, fresh: true, status: answer.status };
}

/** Says in `line` how old the list on the screen is. state: loading | fresh | offline | failed. */
export function sayCopy(line, copy, state) {
  const time = copy ? formatDateTime(new Date(copy.fetched_at)) : null;
  if (state === "loading" && !copy) say(line, N_("Loading…"));
  else if (!copy) say(line, state === "offline" ? N_("Offline, and this list was not loaded on this phone yet.") : N_("Could not load the list."));
  else if (state === "offline") say(line, N_("Offline: the list as it was at %(time)s"), { time });
  else if (state === "failed") say(line, N_("Could not load the list: the copy of %(time)s"), { time });
  else say(line, N_("Updated %(time)s"), { time });
}

/** At logout. */
export function forgetCopies() {
  try {
    for (let i = localStorage.length - 1; i >= 0; i -= 1) {
      const key = localStorage.key(i);
      if (key?.startsWith(PREFIX)) localStorage.removeItem(key);
    }
  } catch {
    /* no storage: nothing kept */
  }
}
