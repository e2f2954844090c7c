/* What every field page runs: the language switcher (i18n.js, on import), the outbox and its
 * replay triggers (outbox.js, on import), the status bar, the service worker, and what keeps
 * the app usable offline, and suggest mode (suggest.js) for those who may improve the wording.
 * The page's own module comes after this one.
 */
import "./i18n.js";
import "./outbox.js";
import "./suggest.js";
import { askPersistence, keepStreets } from "./offline/keep.js";
import { startStatusBar } from "./offline/status-bar.js";
import { registerWorker } from "./offline/worker.js";

startStatusBar();
askPersistence();
registerWorker().then(keepStreets);
