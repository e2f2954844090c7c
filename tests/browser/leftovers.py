"""Text of the previous language left on a screen after a language switch.

    old, new = fetch_catalog(page, "nl"), fetch_catalog(page, "tr")
    switch_to(page, "tr")
    assert_no_leftover_text(page, old, new)

A catalog is what GET /field/i18n/<code>.json answers: {"messages": {msgid: text}, "meta": {...}}.
The check reads what a volunteer (or a screen reader) gets: every visible text node, the option
labels of visible selects, <title>, and the placeholder, aria-label, title and alt of visible
elements. It fails on any that is the previous language's translation of a msgid (or one of its
meta texts, such as the card date) while the new language says something else. It polls until
the screen is clean or `timeout` ms have passed, since scripts re-render after the switch event.

Language pickers name each language in itself and are left out (`exempt`, a CSS selector); pass
more for content that is meant to stay in another language, e.g. a resident card the volunteer
set to the resident's language.
"""
from __future__ import annotations

import re
import time

DEFAULT_EXEMPT = "nav.languages a, [data-card-lang], .chip > span[lang]"
# Meta entries that are not text of the language (or are the same on every screen by design).
_NOT_TEXT_META = {"locale", "endonym", "dir", "decimal", "group"}
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
_SEGMENTS = re.compile(r"\s+·\s+|\n+")

_COLLECT = """(exempt) => {
  const out = [];
  const shown = el => el.checkVisibility({ checkVisibilityCSS: true });
  const skipped = el => !!(exempt && el.closest(exempt));
  const where = el => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 3; e = e.parentElement) {
      parts.unshift(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
                    (typeof e.className === "string" && e.className ? "." + e.className.trim().split(/\\s+/).join(".") : ""));
    }
    return parts.join(" > ");
  };
  out.push({ where: "<title>", text: document.title });
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const text = node.nodeValue.trim();
    if (!text || !el || el.closest("script, style, template, noscript, select") || skipped(el) || !shown(el)) continue;
    out.push({ where: where(el), text: text });
  }
  for (const select of document.querySelectorAll("select")) {
    if (skipped(select) || !shown(select)) continue;
    for (const option of select.options) out.push({ where: where(select) + " option", text: option.text.trim() });
  }
  const ATTRS = ["placeholder", "aria-label", "title", "alt", "aria-description", "aria-roledescription", "aria-valuetext"];
  for (const el of document.body.querySelectorAll("*")) {
    if (skipped(el) || !shown(el)) continue;
    for (const attr of ATTRS) {
      const value = el.getAttribute(attr);
      if (value && value.trim()) out.push({ where: where(el) + " @" + attr, text: value.trim() });
    }
    if (el.matches("input[type=button], input[type=submit], input[type=reset]") && el.value.trim()) {
      out.push({ where: where(el) + " @value", text: el.value.trim() });
    }
  }
  return out;
}"""


def fetch_catalog(page, code: str) -> dict:
    """The client catalog of `code`, fetched by the page itself (so from the worker's cache offline)."""
    return page.evaluate("c => fetch('/field/i18n/' + c + '.json').then(r => r.json())", code)


def switch_to(page, code: str) -> None:
    """Tap a language in the switcher and wait until the interface is in it."""
    page.click(f'nav.languages a[data-locale="{code}"]')
    page.wait_for_function("c => document.documentElement.lang === c", arg=code)


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in _PLACEHOLDER.sub("", text))


def old_texts(old_catalog: dict, new_catalog: dict) -> tuple[dict, list]:
    """What would betray the previous language: {text: msgid} and [(pattern, msgid)] for texts with placeholders."""
    old, new = old_catalog["messages"], new_catalog["messages"]
    # The new screen may show a msgid itself (English, or a string not translated yet).
    current = {new.get(key) or key for key in set(old) | set(new)}
    current |= {str(v) for v in new_catalog.get("meta", {}).values()}
    plain, patterns = {}, []
    candidates = list(old.items()) + [
        (f"meta:{key}", value) for key, value in old_catalog.get("meta", {}).items()
        if key not in _NOT_TEXT_META and isinstance(value, str)
    ]
    for msgid, text in candidates:
        text = text.strip()
        now = (new.get(msgid) or msgid) if not msgid.startswith("meta:") else new_catalog["meta"].get(msgid[5:])
        if not text or text == now or text in current or _letters(text) < 2:
            continue
        if _PLACEHOLDER.search(text):
            pieces = _PLACEHOLDER.split(text)
            patterns.append((re.compile(".+?".join(re.escape(p) for p in pieces), re.S), msgid))
        else:
            plain[text] = msgid
    return plain, patterns


def find_leftovers(page, old_catalog: dict, new_catalog: dict, exempt: str | None = DEFAULT_EXEMPT) -> list[str]:
    plain, patterns = old_texts(old_catalog, new_catalog)
    # Long phrases are also looked for inside longer texts; short words only as a whole.
    phrases = {text: msgid for text, msgid in plain.items() if len(text) >= 12 and " " in text}
    found = []
    for item in page.evaluate(_COLLECT, exempt):
        text = item["text"]
        pieces = [text] + [p.strip() for p in _SEGMENTS.split(text) if p.strip()]
        hit = next((plain[p] for p in pieces if p in plain), None)
        if hit is None:
            hit = next((msgid for p in pieces for pattern, msgid in patterns if pattern.fullmatch(p)), None)
        if hit is None:
            hit = next((msgid for phrase, msgid in phrases.items() if phrase in text), None)
        if hit is not None:
            found.append(f"{item['where']}: {text!r} (msgid {hit!r})")
    return found


def assert_no_leftover_text(page, old_catalog: dict, new_catalog: dict, *, exempt: str | None = DEFAULT_EXEMPT,
                            timeout: float = 5000) -> None:
    """Fail when any text of the previous language is still on the screen after `timeout` ms."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        found = find_leftovers(page, old_catalog, new_catalog, exempt)
        if not found or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    old_code = old_catalog.get("meta", {}).get("locale")
    new_code = new_catalog.get("meta", {}).get("locale")
    assert not found, f"text in {old_code} left after switching to {new_code}:\n  " + "\n  ".join(found)
