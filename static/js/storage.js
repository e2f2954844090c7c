/* Small things this phone remembers between pages, in localStorage. Losing them is never fatal. */
const CONVERSATION_LANGUAGE = "fieldapp.conversation_language";

export function readJSON(key, fallback) {
  try {
    const value = JSON.parse(localStorage.getItem(key) || "null");
    return value === null ? fallback : value;
  } catch {
    return fallback;
  }
}

export function writeJSON(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* storage full: not fatal */
  }
}

/** The language of the last conversation recorded on this phone: the resident's, likely. */
export const lastConversationLanguage = () => readJSON(CONVERSATION_LANGUAGE, null);
export const rememberConversationLanguage = (code) => writeJSON(CONVERSATION_LANGUAGE, code);
