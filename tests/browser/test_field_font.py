"""Tigrinya renders with the app's own Noto Sans Ethiopic, not a system fallback or tofu boxes."""
from __future__ import annotations

from .artifacts import keep_screenshot


def platform_fonts(page, selector: str) -> list[dict]:
    """The fonts Chromium actually used to draw the text of one element (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, selector
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return fonts


def test_tigrinya_uses_the_served_font(live_server, page_360, artifacts_dir):
    page = page_360
    fetched = []
    page.on("response", lambda r: fetched.append((r.url, r.status)) if r.url.endswith(".ttf") else None)
    page.goto(f"{live_server.url}/field/card?lang=ti")
    page.wait_for_function("document.fonts.status === 'loaded'")
    title = "#main .resident-card .card-title"
    text = page.locator(title).text_content()
    assert any(0x1200 <= ord(ch) <= 0x137F for ch in text)

    # The face came from our own URL and is loaded.
    assert (f"{live_server.url}/fonts/NotoSansEthiopic-Regular.ttf", 200) in fetched
    faces = page.evaluate("""() => [...document.fonts].map(f => ({family: f.family, status: f.status}))""")
    assert {"family": '"FieldApp Ethiopic"', "status": "loaded"} in faces or \
        {"family": "FieldApp Ethiopic", "status": "loaded"} in faces
    assert page.evaluate("document.fonts.check('16px \"FieldApp Ethiopic\"', 'ሰላም')")

    # Every Ethiopic glyph of the card title was drawn by the web font (isCustomFont), none by a fallback.
    fonts = platform_fonts(page, title)
    ethiopic = [f for f in fonts if "Ethiopic" in f["familyName"]]
    assert ethiopic and all(f["isCustomFont"] for f in ethiopic), fonts
    ethiopic_chars = sum(1 for ch in text if 0x1200 <= ord(ch) <= 0x139F)
    assert sum(f["glyphCount"] for f in ethiopic) >= ethiopic_chars
    keep_screenshot(page.locator("#main .resident-card"), artifacts_dir / "field-card-ti-font.png")


def test_latin_text_is_not_drawn_with_the_ethiopic_face(live_server, page_360):
    """unicode-range keeps the face to Ethiopic: Latin text is drawn by the system font."""
    page = page_360
    page.goto(f"{live_server.url}/field/card?lang=nl")
    page.wait_for_function("document.fonts.status === 'loaded'")
    fonts = platform_fonts(page, "#main .resident-card .card-title")
    assert fonts and not any("Ethiopic" in f["familyName"] for f in fonts)
