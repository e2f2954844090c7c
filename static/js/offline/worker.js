/* The service worker: registered on every page; a new version waits until the volunteer
 * chooses "Update", so a half-typed form is never reloaded away.
 */
import { flush } from "../outbox.js";

let waiting = null;
let upgradedElsewhere = false; // another tab opened the outbox with a newer version
const listeners = new Set();

/** Whether a new version is ready; `onUpdateReady(fn)` calls fn when that changes. */
export const updateReady = () => !!(waiting || upgradedElsewhere);
export const onUpdateReady = (fn) => listeners.add(fn);
const changed = () => listeners.forEach((fn) => fn());

document.addEventListener("fieldapp:outbox-upgraded", () => {
  upgradedElsewhere = true;
  changed();
});

/** Resolves to the registration, or null where there is no service worker. */
export async function registerWorker() {
  if (!("serviceWorker" in navigator)) return null;
  let registration;
  try {
    registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  } catch {
    return null;
  }
  const watch = (worker) => worker?.addEventListener("statechange", () => {
    if (worker.state === "installed" && navigator.serviceWorker.controller) {
      waiting = worker;
      changed();
    }
  });
  if (registration.waiting && navigator.serviceWorker.controller) waiting = registration.waiting;
  watch(registration.installing);
  registration.addEventListener("updatefound", () => watch(registration.installing));
  changed();
  return registration;
}

/** Resolves once a worker controls this page: on a first visit, when the new one claims it. */
export function controlled() {
  if (navigator.serviceWorker.controller) return Promise.resolve();
  return new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
}

/** The volunteer chose to update: send what can be sent, then let the new worker take over
 * and reload. The outbox lives in IndexedDB, which the new version opens and upgrades. */
export async function applyUpdate() {
  let reloading = false;
  const reload = () => {
    if (!reloading) {
      reloading = true;
      location.reload();
    }
  };
  try {
    await flush();
  } finally {
    if (!waiting) reload();
    else {
      navigator.serviceWorker.addEventListener("controllerchange", reload);
      waiting.postMessage({ type: "SKIP_WAITING" });
    }
  }
}
