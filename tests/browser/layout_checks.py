"""Layout checks for any page open in Playwright, reusable by every browser test.

    from .layout_checks import assert_fits_screen, assert_no_broken_words, page_height

- assert_fits_screen(page): the page does not scroll sideways and no visible element sticks
  out of the viewport. A box that scrolls or clips sideways itself (a table in an
  `overflow-x: auto` wrapper, the map) must fit, but what it holds may be wider: that is the
  point of it. Returns the page height.
- assert_no_broken_words(page): no word is split over two lines, as `overflow-wrap: anywhere`
  does to a squeezed table column ("Koekoeks-/bloem-/straat"). Words are found with
  Intl.Segmenter in the page's language (Ethiopic script included); a word is broken when the
  client rects of its characters lie on more than one line. Breaks at spaces and hyphens
  are fine: a hyphen is not part of a word. Machine strings (code, a link shown as text) may
  break and are skipped, as are SVG text, form controls and text clipped away for screen
  readers. Returns the page height.
- page_height(page): document.scrollingElement.scrollHeight in CSS pixels.
"""
from __future__ import annotations

# Text that is not prose: codes and URIs break anywhere on purpose; SVG text never wraps.
SKIP_WORDS = "code, kbd, samp, pre, svg, select, option, script, style, noscript, .visually-hidden, .skip-link"

_OVERFLOW_JS = """() => {
    const width = document.documentElement.clientWidth;
    const problems = [];
    const scroller = document.scrollingElement;
    if (scroller.scrollWidth > width + 0.5) {
        problems.push(`page scrolls sideways: scrollWidth ${scroller.scrollWidth} > ${width}`);
    }
    const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    const path = (el) => {
        const parts = [];
        for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) parts.unshift(name(e));
        return parts.join(' > ');
    };
    const walk = (parent) => {
        for (const el of parent.children) {
            const style = getComputedStyle(el);
            if (style.display === 'none') continue;
            const r = el.getBoundingClientRect();
            // 1 px boxes are the visually hidden texts for screen readers.
            if (r.width > 1 && r.height > 1 && style.visibility !== 'hidden'
                && (r.left < -0.5 || r.right > width + 0.5)) {
                problems.push(`${path(el)} spans ${Math.round(r.left)}..${Math.round(r.right)} of ${width}: `
                    + JSON.stringify((el.textContent || '').trim().slice(0, 40)));
            }
            // A box that scrolls or clips sideways keeps what it holds to itself.
            if (style.overflowX === 'visible') walk(el);
        }
    };
    walk(document.body);
    return problems;
}"""

_BROKEN_WORDS_JS = """(skip) => {
    const lang = document.documentElement.lang || 'en';
    const segmenter = new Intl.Segmenter(lang, { granularity: 'word' });
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    const broken = [];
    // Text clipped away for screen readers only (clip: rect(0 0 0 0)) is never seen.
    const clipped = new Map();
    const isClipped = (el) => {
        if (!el || el === document.body) return false;
        if (!clipped.has(el)) {
            const style = getComputedStyle(el);
            clipped.set(el, (style.clip !== 'auto' && style.position === 'absolute') || isClipped(el.parentElement));
        }
        return clipped.get(el);
    };
    const drawn = () => [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
    // Two lines: one fragment starts below where another ends.
    const onTwoLines = (rects) => rects.length > 1
        && Math.max(...rects.map((r) => r.top)) >= Math.min(...rects.map((r) => r.bottom)) - 1;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.data.trim() || !node.parentElement || node.parentElement.closest(skip)) continue;
        if (isClipped(node.parentElement)) continue;
        // A text on one line breaks no word: only the few that wrap are read word by word.
        range.selectNodeContents(node);
        if (!onTwoLines(drawn())) continue;
        for (const part of segmenter.segment(node.data)) {
            if (!part.isWordLike || part.segment.length < 2) continue;
            range.setStart(node, part.index);
            range.setEnd(node, part.index + part.segment.length);
            const rects = drawn();
            if (onTwoLines(rects)) {
                const el = node.parentElement;
                broken.push(`${JSON.stringify(part.segment)} in <${el.tagName.toLowerCase()}`
                    + `${el.className && typeof el.className === 'string' ? ' class=' + el.className : ''}>`
                    + ` over ${rects.length} line fragments`);
            }
        }
    }
    return broken;
}"""


def page_height(page) -> int:
    return page.evaluate("() => document.scrollingElement.scrollHeight")


def _styled(page) -> None:
    # A screen reached by a form's POST is in the DOM before its stylesheets have loaded (the
    # invitation's key once measured 438 px wide, unstyled): measure the page as it is drawn.
    page.wait_for_load_state("load")


def overflowing(page) -> list[str]:
    """What sticks out sideways (empty when the page fits the screen)."""
    _styled(page)
    return page.evaluate(_OVERFLOW_JS)


def broken_words(page, skip: str = SKIP_WORDS) -> list[str]:
    """Words split across lines (empty when none is)."""
    _styled(page)
    return page.evaluate(_BROKEN_WORDS_JS, skip)


def assert_fits_screen(page) -> int:
    problems = overflowing(page)
    height = page_height(page)
    assert not problems, f"{page.url} (height {height} px) is wider than the screen:\n" + "\n".join(problems[:20])
    return height


def assert_no_broken_words(page, skip: str = SKIP_WORDS) -> int:
    problems = broken_words(page, skip)
    height = page_height(page)
    assert not problems, f"{page.url} (height {height} px) breaks words inside:\n" + "\n".join(problems[:20])
    return height
