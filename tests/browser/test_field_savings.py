"""The klus form records a measure as installed or as not possible with a reason; the rally form
what was handed out; both stay within a 360 px phone screen."""
from __future__ import annotations

from .conftest import serious_axe_violations, signed_in, wider_than_viewport


def _stored(live_server, record_id: str) -> dict:
    token = live_server.token("vol")["token"]
    return live_server.app.test_client().get(
        f"/api/v1/records/{record_id}", headers={"Authorization": f"Bearer {token}"}).get_json()


def test_klus_form_sends_installed_and_not_possible_measures(live_server, page_360):
    page, world = page_360, live_server.world
    signed_in(page, live_server, "vol")
    page.goto(f"{live_server.url}/field/forms/klus?lang=tr")
    page.wait_for_selector("#record-form[data-ready=true]")
    page.select_option("#street", str(world.streets["Koningsweg"]))
    page.fill("#house_number", "12")
    for _ in range(3):
        page.click("button.step[data-step='1'][aria-controls=measure-led_bulb]")
    page.select_option("select.not-possible[data-code=radiator_foil]", "declined")
    page.click("label.chip:has(input[name=language][value=nl])")
    assert wider_than_viewport(page) == []
    assert serious_axe_violations(page) == []
    page.click("#send")
    page.wait_for_selector("#send-status[data-last-id]")
    record = _stored(live_server, page.locator("#send-status").get_attribute("data-last-id"))
    assert record["measures"] == [{"code": "led_bulb", "quantity": 3},
                                  {"code": "radiator_foil", "not_possible": "declined"}]


def test_rally_form_sends_what_was_handed_out(live_server, page_360):
    page, world = page_360, live_server.world
    signed_in(page, live_server, "vol")
    page.goto(f"{live_server.url}/field/forms/rally?lang=so")
    page.wait_for_selector("#record-form[data-ready=true]")
    page.select_option("#street", str(world.streets["Smitsplein"]))
    page.click("label.chip:has(input[name=outcome][value=talked])")
    page.click("button.step[data-step='1'][aria-controls=handed-flyer]")
    page.click("button.step[data-step='1'][aria-controls=handed-led_bulb]")
    page.click("button.step[data-step='1'][aria-controls=handed-led_bulb]")
    assert wider_than_viewport(page) == []
    page.click("#send")
    page.wait_for_selector("#send-status[data-last-id]")
    record = _stored(live_server, page.locator("#send-status").get_attribute("data-last-id"))
    assert record["handed_out"] == [{"code": "flyer", "quantity": 1}, {"code": "led_bulb", "quantity": 2}]
    assert record["measures"] == []
