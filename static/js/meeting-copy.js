/* The meetings kept on the phone (the sign-up screen fetches them; the event form names one). */
import { formatDateTime } from "./i18n.js";
import { readCopy } from "./desk/copies.js";

export const MEETINGS_COPY = "meetings";

/** How a meeting is named on the phone: its time and place. */
export const meetingName = (m) => `${formatDateTime(new Date(m.starts_at))} · ${m.place}`;

/** The kept meeting of this id, if the phone has it. */
export function keptMeeting(id) {
  return (readCopy(MEETINGS_COPY)?.data?.meetings || []).find((m) => m.id === id) || null;
}
