"""The override pages: propose from the agency's page, the queue, decide with the password,
revoke on a confirmation page; each refusal shown, nothing lost."""

from datetime import date

from ratings.overrides.models import OverrideState, RatingOverride
from registry.db import db
from tests.conftest import PASSWORD, post_form
from tests.ratings.overrides.conftest import (
    ENGLISH,
    REASON,
    approved,
    attached,
    page_text,
    proposed,
)


def test_the_agency_page_offers_the_proposal_form(client, auth, parties):
    auth.login(parties.regulator.email)
    page = page_text(client.get(f"/regulator/agencies/{parties.agency.id}", headers=ENGLISH))
    assert 'data-testid="override-card"' in page
    assert f'action="/regulator/agencies/{parties.agency.id}/overrides/propose"' in page


def test_a_regulator_proposes_through_the_form(client, auth, parties):
    auth.login(parties.regulator.email)
    response = post_form(
        client,
        f"/regulator/agencies/{parties.agency.id}/overrides/propose",
        {"stars": "4", "ends_on": "2027-03-31", "reason": REASON},
    )
    assert response.status_code == 302
    override = db.session.query(RatingOverride).one()
    assert (override.stars, override.state) == (4, OverrideState.PROPOSED)
    queue = page_text(client.get("/regulator/overrides", headers=ENGLISH))
    assert parties.agency.name in queue
    assert "Waiting for a reviewer" in queue


def test_a_bad_proposal_is_shown_with_what_was_typed(client, auth, parties):
    auth.login(parties.regulator.email)
    response = post_form(
        client,
        f"/regulator/agencies/{parties.agency.id}/overrides/propose",
        {"stars": "5", "ends_on": "2028-01-01", "reason": REASON},
        headers=ENGLISH,
    )
    assert response.status_code == 400
    page = page_text(response)
    assert "at most 12 months" in page
    assert REASON in page
    assert db.session.query(RatingOverride).count() == 0


def test_a_reviewer_approves_with_the_password(client, auth, parties):
    override = proposed(parties)
    auth.login(parties.reviewer.email)
    assert client.get(f"/regulator/overrides/{override.id}/decide").status_code == 200
    wrong = post_form(
        client,
        f"/regulator/overrides/{override.id}/decide",
        {"outcome": "approve", "reasons": "同意。", "password": "not it"},
        headers=ENGLISH,
    )
    assert wrong.status_code == 400
    assert "password is not right" in page_text(wrong)
    assert attached(override).state == OverrideState.PROPOSED
    response = post_form(
        client,
        f"/regulator/overrides/{override.id}/decide",
        {"outcome": "approve", "reasons": "同意。", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert attached(override).state == OverrideState.APPROVED
    shown = page_text(client.get(f"/regulator/overrides/{override.id}", headers=ENGLISH))
    assert "In force" in shown
    assert "Revoke the override" in shown


def test_the_proposer_is_sent_back_from_the_decision_page(client, auth, parties):
    override = proposed(parties, by=parties.reviewer)
    auth.login(parties.reviewer.email)
    response = client.get(f"/regulator/overrides/{override.id}/decide", headers=ENGLISH)
    assert response.status_code == 302
    shown = page_text(client.get(response.location, headers=ENGLISH))
    assert "another reviewer must decide it" in shown
    assert "/decide" not in shown


def test_a_regulator_cannot_open_the_decision_page(client, auth, parties):
    override = proposed(parties)
    auth.login(parties.regulator.email)
    assert client.get(f"/regulator/overrides/{override.id}/decide").status_code == 403


def test_revoking_asks_for_confirmation_and_a_reason(client, auth, parties):
    override = approved(parties)
    auth.login(parties.regulator.email)
    page = page_text(client.get(f"/regulator/overrides/{override.id}/revoke", headers=ENGLISH))
    assert "Revoke override" in page
    empty = post_form(client, f"/regulator/overrides/{override.id}/revoke", {"reason": ""})
    assert empty.status_code == 400
    assert attached(override).state == OverrideState.APPROVED
    done = post_form(
        client, f"/regulator/overrides/{override.id}/revoke", {"reason": "情况发生变化。"}
    )
    assert done.status_code == 302
    assert attached(override).state == OverrideState.REVOKED


def test_the_queue_filters_by_state(client, auth, parties, clock):
    approved(parties, ends_on=date(2026, 10, 31))
    clock.set(date(2026, 11, 2))
    auth.login(parties.regulator.email)
    assert 'data-testid="no-overrides"' in page_text(
        client.get("/regulator/overrides?show=in_force")
    )
    ended = page_text(client.get("/regulator/overrides?show=ended", headers=ENGLISH))
    assert parties.agency.name in ended
    assert "Ended at its end day" in ended
    assert client.get("/regulator/overrides?show=nonsense").status_code == 400
