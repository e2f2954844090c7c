"""Who sees which referral on the desk, its house number (audited), who may send and assign, and
whom the desk suggests for it (DOMAIN.md, part two)."""
from __future__ import annotations

import sqlalchemy as sa

from followup_support import (
    add_user, assigned, closed, contacted, desk_row, new_referral, scheduled, send,
)


def address_views(db) -> list[tuple[str, list]]:
    from fieldapp.audit.models import AuditEvent

    db.rollback()
    return [(entry.actor_username, entry.details["referral_ids"]) for entry in db.scalars(
        sa.select(AuditEvent).where(AuditEvent.event == "address_view").order_by(AuditEvent.id))]


def test_another_partners_user_does_not_see_the_referral(app, db, world, login):
    add_user(db, "present_vol", "volunteer", "present", ["Smitsveen"], ["nl"])
    vol, coach, present = login("vol"), login("coach"), login("present_vol")
    street = world.streets["Smitsplein"]
    energy, klus = new_referral(vol, street, "energy_coach"), new_referral(vol, street, "klusactie")
    for api, mine, not_mine in ((vol, energy, klus), (present, klus, energy)):
        assert api.get(f"/api/v1/referrals/{mine}").status_code == 200
        assert api.get(f"/api/v1/referrals/{not_mine}").status_code == 404
        assert send(api, not_mine, contacted()).status_code == 404
        assert [card["id"] for card in api.get("/api/v1/referrals").get_json()["referrals"]] == [mine]
    for referral in (energy, klus):  # a taalcoach of balans: neither is routed to balans
        assert coach.get(f"/api/v1/referrals/{referral}").status_code == 404
        assert send(coach, referral, assigned("coach")).status_code == 404
    assert coach.get("/api/v1/referrals").get_json()["referrals"] == []
    assert login("outsider").get(f"/api/v1/referrals/{energy}").status_code == 404  # eas, but Elders
    assert {card["id"] for card in login("coord").get("/api/v1/referrals").get_json()["referrals"]} == {energy, klus}
    assert desk_row(db, energy) == ("eas", "open", None) and desk_row(db, klus) == ("present", "open", None)


def test_house_numbers_only_for_the_assignee_and_coordinators_each_view_audited(app, db, world, login):
    vol, coord = login("vol"), login("coord")
    referral = new_referral(vol, world.streets["Koningsweg"], house_number=12)

    # A partner's volunteer who is not the assignee: the street, not the door.
    card = vol.get(f"/api/v1/referrals/{referral}").get_json()
    assert (card["street"], card["house_number"], card["house_addition"]) == ("Koningsweg", None, None)
    assert vol.get("/api/v1/referrals").get_json()["referrals"][0]["house_number"] is None
    assert send(vol, referral, contacted()).get_json()["house_number"] is None
    assert address_views(db) == []

    # Coordinators see it; the list, the detail and an event's answer are each audited.
    assert coord.get("/api/v1/referrals").get_json()["referrals"][0]["house_number"] == 12
    assert coord.get(f"/api/v1/referrals/{referral}").get_json()["house_number"] == 12
    assert send(coord, referral, scheduled()).get_json()["house_number"] == 12
    assert address_views(db) == [("coord", [referral])] * 3

    # The assignee sees it once they took it.
    taken = send(vol, referral, assigned("vol", at="2026-01-07T10:00:00+01:00"))
    assert taken.status_code == 201 and taken.get_json()["house_number"] == 12
    assert vol.get(f"/api/v1/referrals/{referral}").get_json()["house_number"] == 12
    assert address_views(db)[3:] == [("vol", [referral])] * 2

    # A list of which nothing shows a number writes nothing.
    add_user(db, "eas_two", "volunteer", "eas", ["Smitsveen"], ["nl"])
    assert login("eas_two").get("/api/v1/referrals").get_json()["referrals"][0]["house_number"] is None
    assert len(address_views(db)) == 5


def test_partner_users_send_steps_and_take_unassigned_ones(app, db, world, login):
    add_user(db, "eas_two", "volunteer", "eas", ["Smitsveen"], ["nl"])
    vol, two, coord = login("vol"), login("eas_two"), login("coord")
    street = world.streets["Smitsplein"]
    referral = new_referral(vol, street)
    # Any user of the routed partner sends the steps, assigned or not.
    for body in (contacted(), scheduled(), closed()):
        assert send(two, referral, body).status_code == 201, body["type"]

    unassigned = new_referral(vol, street)
    assert send(vol, unassigned, assigned("eas_two")).status_code == 403  # not someone else
    assert send(vol, unassigned, assigned("nobody_at_all")).status_code == 403  # nor learn who exists
    assert send(vol, unassigned, assigned("vol")).status_code == 201  # but themselves
    assert send(two, unassigned, assigned("eas_two")).status_code == 403  # not an assigned one
    assert send(vol, unassigned, assigned("vol")).status_code == 403  # not even again
    assert desk_row(db, unassigned) == ("eas", "open", "vol")
    assert send(coord, unassigned, assigned("eas_two")).status_code == 201  # coordinators re-assign
    assert desk_row(db, unassigned) == ("eas", "open", "eas_two")
    assert send(vol, unassigned, contacted()).status_code == 201  # still their partner's

    # A taalcoach of the partner may take one as well.
    add_user(db, "eas_coach", "taalcoach", "eas", ["Smitsveen"], ["ti"])
    another = new_referral(vol, street)
    assert send(login("eas_coach"), another, assigned("eas_coach")).status_code == 201


def card_of(api, referral: int) -> dict:
    response = api.get(f"/api/v1/referrals/{referral}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def hints(card: dict) -> tuple:
    return ([(u["username"], u["partner"], u["languages"]) for u in card["suggested_assignees"]],
            card["language_gap"], [(u["username"], u["partner"]) for u in card["suggested_taalcoaches"]])


def test_suggestions_follow_the_languages_of_the_partners_users(app, db, world, login):
    from fieldapp.accounts.models import User

    add_user(db, "eas_ti", "volunteer", "eas", ["Smitsveen"], ["ti", "nl"])
    add_user(db, "eas_coord_ti", "coordinator", "eas", ["Smitsveen"], ["ti"])
    add_user(db, "eas_gone", "volunteer", "eas", ["Smitsveen"], ["tr", "ti"])
    add_user(db, "eas_ar_elders", "volunteer", "eas", ["Elders"], ["ar"])
    add_user(db, "coach_so", "taalcoach", "balans", ["Smitsveen"], ["so", "nl"])
    add_user(db, "coach_so_elders", "taalcoach", "balans", ["Elders"], ["so"])
    add_user(db, "present_so", "volunteer", "present", ["Smitsveen"], ["so"])  # speaks it, not a taalcoach
    add_user(db, "coach_tr", "taalcoach", "vang", ["Smitsveen"], ["tr"])
    db.execute(sa.update(User).where(User.username == "eas_gone").values(active=False))
    db.commit()
    coord, street = login("coord"), world.streets["Smitsplein"]

    ti = card_of(coord, new_referral(coord, street, language="ti"))
    assert hints(ti) == ([("eas_coord_ti", "eas", ["ti"]), ("eas_ti", "eas", ["nl", "ti"])], False, [])
    # Nobody of eas speaks Somali: a gap, and the neighbourhood's taalcoaches who do (any partner).
    so = card_of(coord, new_referral(coord, street, language="so"))
    assert hints(so) == ([], True, [("coach_so", "balans")])
    # Somebody of eas elsewhere speaks Arabic: no gap, but nobody here to assign.
    assert hints(card_of(coord, new_referral(coord, street, language="ar"))) == ([], False, [])
    # The only Turkish speaker of eas is disabled.
    assert hints(card_of(coord, new_referral(coord, street, language="tr"))) == ([], True, [("coach_tr", "vang")])
    # Nobody is assumed to speak Dutch: Stichting Present's only user lists Somali.
    assert hints(card_of(coord, new_referral(coord, street, "klusactie", language="nl"))) == (
        [], True, [("coach_so", "balans")])
    present_so = card_of(coord, new_referral(coord, street, "klusactie", language="so"))
    assert hints(present_so) == ([("present_so", "present", ["so"])], False, [])


def test_filters_and_pages(app, db, world, login):
    import uuid

    from followup_support import record_body

    add_user(db, "eas_two", "volunteer", "eas", ["Smitsveen"], ["nl"])
    vol, coord = login("vol"), login("coord")
    street = world.streets["Smitsplein"]
    made = {}
    plan = [  # label, code, language, due date (some shared, so the id breaks the tie)
        ("a", "energy_coach", "nl", "2026-02-01"), ("b", "energy_coach", "ti", "2026-01-20"),
        ("c", "klusactie", "ti", "2026-01-20"), ("d", "money_questions", "so", "2026-01-20"),
        ("e", "energy_coach", "so", "2026-03-01"), ("f", "energy_coach", "nl", "2026-01-10"),
        ("g", "debt_help", "nl", "2026-02-01"),
    ]
    for label, code, language, due in plan:
        body = record_body(street, [{"code": code, "consent": True, "due_date": due}], language=language)
        response = vol.put(f"/api/v1/records/{uuid.uuid4()}", json=body)
        made[label] = response.get_json()["referrals"][0]["id"]
    assert send(vol, made["a"], assigned("vol")).status_code == 201
    assert send(coord, made["b"], assigned("eas_two")).status_code == 201
    assert send(vol, made["e"], contacted()).status_code == 201
    assert send(vol, made["f"], closed()).status_code == 201

    def listed(api, query=""):
        response = api.get("/api/v1/referrals" + query)
        assert response.status_code == 200, response.get_json()
        return [next(k for k, v in made.items() if v == card["id"]) for card in response.get_json()["referrals"]]

    assert listed(coord) == ["f", "b", "c", "d", "a", "g", "e"]  # due date, then id
    assert listed(vol) == ["f", "b", "a", "e"]
    assert listed(coord, "?status=open") == ["b", "c", "d", "a", "g"]
    assert listed(coord, "?status=closed") == ["f"]
    assert listed(coord, "?partner=eas&status=contacted") == ["e"]
    assert listed(coord, "?partner=goos") == ["d"]
    assert listed(vol, "?assignee=me") == ["a"]
    assert listed(vol, "?assignee=none") == ["f", "e"]
    assert listed(coord, "?assignee=eas_two") == ["b"]
    assert listed(coord, "?assignee=nobody_at_all") == []
    assert listed(coord, "?language=TI") == ["b", "c"]
    card = coord.get("/api/v1/referrals?language=so&status=contacted").get_json()["referrals"][0]
    assert (card["due_date"], card["code"], card["overdue"]) == ("2026-03-01", "energy_coach", True)

    for limit in (1, 2, 3):
        seen, cursor = [], ""
        while True:
            page = coord.get(f"/api/v1/referrals?limit={limit}" + (f"&cursor={cursor}" if cursor else "")).get_json()
            seen += [card["id"] for card in page["referrals"]]
            assert len(page["referrals"]) <= limit
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == [made[label] for label in ("f", "b", "c", "d", "a", "g", "e")], limit
    page = coord.get("/api/v1/referrals?limit=2&status=open").get_json()
    rest = coord.get(f"/api/v1/referrals?status=open&cursor={page['next_cursor']}").get_json()
    assert [c["id"] for c in page["referrals"] + rest["referrals"]] == [made[k] for k in ("b", "c", "d", "a", "g")]


def test_bad_filters_are_422_per_field(app, world, login):
    coord = login("coord", "nl")
    for query, fields in [
        ("status=waiting", {"status"}), ("language=zz", {"language"}), ("limit=0", {"limit"}),
        ("limit=501", {"limit"}), ("limit=ten", {"limit"}), ("cursor=not-a-cursor", {"cursor"}),
        ("cursor=WzEsMl0", {"cursor"}),  # [1,2]: well-formed, but not a page link
        ("partner=nobody", {"partner"}), ("status=waiting&language=zz&limit=0", {"status", "language", "limit"}),
    ]:
        response = coord.get(f"/api/v1/referrals?{query}")
        assert response.status_code == 422, (query, response.get_json())
        errors = response.get_json()["errors"]
        assert set(errors) == fields and all(errors[field] for field in fields), (query, errors)


def test_erasure_withdraws_what_is_open_and_strips_the_notes(app, db, world, login, monkeypatch):
    from fieldapp.cli import main
    from fieldapp.followup.models import ReferralEvent

    vol, coord = login("vol"), login("coord")
    street = world.streets["Smitsplein"]
    waiting, talking, done = (new_referral(vol, street, house_number=1) for _ in range(3))
    neighbour = new_referral(vol, street, house_number=2)
    assert send(vol, talking, contacted(note="Belt terug na vijven.")).status_code == 201
    assert send(vol, done, closed(note="Geholpen met de rekening.")).status_code == 201
    assert send(vol, neighbour, contacted(note="Buurvrouw, kent de weg.")).status_code == 201

    result = app.test_cli_runner().invoke(main, ["erase-address", "--neighbourhood", "Smitsveen", "--street",
                                                 "Smitsplein", "--number", "1", "--yes"])
    assert result.exit_code == 0, result.output
    for referral in (waiting, talking):
        card = card_of(coord, referral)
        assert card["status"] == "closed" and card["closed_at"] is not None and card["house_number"] is None
        assert (card["events"][-1]["type"], card["events"][-1]["outcome"]) == ("closed", "withdrawn")
    assert [(e["type"], e["outcome"]) for e in card_of(coord, done)["events"]] == [("closed", "helped")]
    db.rollback()
    notes = dict(db.execute(sa.select(ReferralEvent.referral_id, ReferralEvent.note)
                            .where(ReferralEvent.note.is_not(None))).all())
    assert notes == {neighbour: "Buurvrouw, kent de weg."}
    assert desk_row(db, neighbour) == ("eas", "contacted", None)
    assert [c["id"] for c in coord.get("/api/v1/referrals?status=open").get_json()["referrals"]] == []
