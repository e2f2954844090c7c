/* Logging out with records still on the phone: ask first, since the next volunteer's login
 * cannot send them. (Send Clear-Site-Data "storage" only after this said yes: it wipes the outbox.)
 */
import { N_, plural } from "../i18n.js";
import { counts } from "../outbox.js";
import { forgetStreets } from "../streets.js";
import { forgetInitiatives } from "../initiatives.js";
import { forgetCopies } from "../desk/copies.js";

/** Resolves true when logging out may go ahead: nothing unsent, or the volunteer said so. */
export async function confirmLogout() {
  const c = await counts();
  const n = c.pending + c.sending + c.needs_attention;
  const ok = n === 0 || window.confirm(plural(
    N_("1 record is not sent yet. If you log out now it may be lost. Log out anyway?"),
    N_("%(count)d records are not sent yet. If you log out now they may be lost. Log out anyway?"), n));
  if (ok) {
    forgetStreets();
    forgetInitiatives(); // another volunteer's partner takes part in other initiatives
    forgetCopies(); // the follow-ups and revisits with their addresses go with the volunteer
  }
  return ok;
}
