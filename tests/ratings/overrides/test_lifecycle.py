"""The star override lifecycle: each transition, who may act, and every refusal."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from ratings.overrides import services
from ratings.overrides.models import OverrideState, RatingOverride
from ratings.overrides.queries import overrides_in_force
from registry.accounts.permissions import PermissionDenied
from registry.db import db
from tests.conftest import PASSWORD
from tests.ratings.overrides.conftest import (
    TODAY,
    actions_on,
    approved,
    attached,
    notices_to,
    proposal,
    proposed,
    refused,
)


def count_overrides() -> int:
    return db.session.execute(select(func.count()).select_from(RatingOverride)).scalar_one()


def test_a_regulator_proposes_and_reviewers_and_the_agency_are_told(parties):
    override = proposed(parties)
    assert override.state == OverrideState.PROPOSED
    assert (override.stars, override.ends_on, override.proposed_by_id) == (
        5,
        date(2027, 3, 31),
        parties.regulator.id,
    )
    assert actions_on(override) == ["rating_override.proposed"]
    assert len(notices_to(parties.reviewer, "override.proposed")) == 1
    assert len(notices_to(parties.other_reviewer, "override.proposed")) == 1
    assert len(notices_to(parties.staff, "override.proposed_to_agency")) == 1
    assert overrides_in_force([parties.agency.id], TODAY) == {}


def test_a_reviewer_who_proposed_is_not_told_to_decide_their_own(parties):
    proposed(parties, by=parties.other_reviewer)
    assert notices_to(parties.other_reviewer, "override.proposed") == []
    assert len(notices_to(parties.reviewer, "override.proposed")) == 1


def test_approval_puts_the_override_in_force_from_today(parties):
    override = approved(parties)
    override = attached(override)
    assert override.state == OverrideState.APPROVED
    assert override.starts_on == TODAY
    assert override.decided_by_id == parties.reviewer.id
    assert override.decision_reasons == "理由充分，同意。"
    assert overrides_in_force([parties.agency.id], TODAY)[parties.agency.id].id == override.id
    assert overrides_in_force([parties.agency.id], date(2027, 4, 1)) == {}
    assert actions_on(override) == ["rating_override.proposed", "rating_override.approved"]
    assert len(notices_to(parties.staff, "override.approved")) == 1
    assert len(notices_to(parties.regulator, "override.approved")) == 1


def test_rejection_records_the_reasons_and_tells_both(parties):
    override = proposed(parties)
    services.decide_override(parties.reviewer, override, "reject", "依据不足。", PASSWORD)
    db.session.commit()
    override = attached(override)
    assert override.state == OverrideState.REJECTED
    assert override.starts_on is None
    assert actions_on(override)[-1] == "rating_override.rejected"
    assert len(notices_to(parties.staff, "override.rejected")) == 1
    assert len(notices_to(parties.regulator, "override.rejected")) == 1


def test_a_regulator_revokes_an_override_in_force(parties):
    override = approved(parties)
    services.revoke_override(parties.regulator, attached(override), "情况发生变化。")
    db.session.commit()
    override = attached(override)
    assert override.state == OverrideState.REVOKED
    assert (override.revoked_by_id, override.revoke_reason) == (
        parties.regulator.id,
        "情况发生变化。",
    )
    assert overrides_in_force([parties.agency.id], TODAY) == {}
    assert actions_on(override)[-1] == "rating_override.revoked"
    assert len(notices_to(parties.staff, "override.revoked")) == 1
    # The proposer revoked it: no notice to themself.
    assert notices_to(parties.regulator, "override.revoked") == []


def test_a_reviewer_revokes_and_the_proposer_is_told(parties):
    override = approved(parties)
    services.revoke_override(parties.other_reviewer, attached(override), "情况发生变化。")
    db.session.commit()
    assert len(notices_to(parties.regulator, "override.revoked")) == 1


def test_a_new_approval_ends_the_override_in_force(parties):
    first = approved(parties, stars=4)
    second = approved(parties, stars=2)
    first = attached(first)
    assert first.state == OverrideState.REVOKED
    assert str(second.id) in first.revoke_reason
    assert overrides_in_force([parties.agency.id], TODAY)[parties.agency.id].id == second.id


# --- refusals -----------------------------------------------------------------------------


def test_the_proposer_cannot_approve_their_own_proposal(parties):
    override = proposed(parties, by=parties.reviewer)
    refused(
        lambda: services.decide_override(
            parties.reviewer, attached(override), "approve", "同意。", PASSWORD
        ),
        "another reviewer must decide",
    )
    assert attached(override).state == OverrideState.PROPOSED


@pytest.mark.parametrize("role", ["regulator", "agency", "enterprise", "supervisor", "admin"])
def test_only_a_reviewer_decides(parties, make_account, role):
    override = proposed(parties)
    refused(
        lambda: services.decide_override(
            make_account(role), attached(override), "approve", "同意。", PASSWORD
        ),
        None,
        PermissionDenied,
    )


@pytest.mark.parametrize("role", ["agency", "enterprise", "supervisor", "admin", "public"])
def test_only_regulators_propose_and_revoke(parties, make_account, role):
    account = make_account(role)
    refused(
        lambda: services.propose_override(account, attached(parties.agency), proposal()),
        None,
        PermissionDenied,
    )
    override = approved(parties)
    refused(
        lambda: services.revoke_override(account, attached(override), "理由。"),
        None,
        PermissionDenied,
    )


def test_a_wrong_password_is_refused(parties):
    override = proposed(parties)
    error = refused(
        lambda: services.decide_override(
            parties.reviewer, attached(override), "approve", "同意。", "wrong password"
        ),
        "password is not right",
    )
    assert error.field == "password"
    assert attached(override).state == OverrideState.PROPOSED


@pytest.mark.parametrize("stars", [0, 6, None, -1])
def test_stars_outside_one_to_five_are_refused(parties, stars):
    error = refused(
        lambda: services.propose_override(
            parties.regulator, attached(parties.agency), proposal(stars=stars)
        ),
        "Choose from 1 to 5 stars",
    )
    assert error.field == "stars"
    assert count_overrides() == 0


@pytest.mark.parametrize(
    ("ends_on", "match"),
    [
        (TODAY, "after today"),
        (TODAY - timedelta(days=1), "after today"),
        (None, "after today"),
        (date(2027, 9, 30), "at most 12 months"),
    ],
)
def test_an_end_day_today_past_or_too_far_is_refused(parties, ends_on, match):
    error = refused(
        lambda: services.propose_override(
            parties.regulator, attached(parties.agency), proposal(ends_on=ends_on)
        ),
        match,
    )
    assert error.field == "ends_on"
    assert count_overrides() == 0


def test_the_longest_override_ends_twelve_months_ahead(parties):
    assert proposed(parties, ends_on=date(2027, 9, 29)).ends_on == date(2027, 9, 29)


def test_the_most_months_come_from_config(app, parties):
    app.config["RATING_OVERRIDE_MAX_MONTHS"] = 3
    refused(
        lambda: services.propose_override(
            parties.regulator, attached(parties.agency), proposal(ends_on=date(2027, 1, 1))
        ),
        "at most 3 months",
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_missing_reason_is_refused(parties, reason):
    error = refused(
        lambda: services.propose_override(
            parties.regulator, attached(parties.agency), proposal(reason=reason)
        ),
        "required",
    )
    assert error.field == "reason"


def test_missing_decision_reasons_are_refused(parties):
    override = proposed(parties)
    error = refused(
        lambda: services.decide_override(
            parties.reviewer, attached(override), "approve", " ", PASSWORD
        ),
        "required",
    )
    assert error.field == "reasons"


def test_one_open_proposal_per_agency(parties):
    first = proposed(parties)
    refused(
        lambda: services.propose_override(
            parties.other_reviewer, attached(parties.agency), proposal(stars=2)
        ),
        f"Override {first.id} for this agency is still waiting",
    )
    assert count_overrides() == 1


def test_a_decided_proposal_cannot_be_decided_again(parties):
    override = approved(parties)
    refused(
        lambda: services.decide_override(
            parties.other_reviewer, attached(override), "reject", "改变主意。", PASSWORD
        ),
        "already decided",
    )
    assert attached(override).state == OverrideState.APPROVED


def test_a_proposal_cannot_be_revoked(parties):
    override = proposed(parties)
    refused(
        lambda: services.revoke_override(parties.regulator, attached(override), "撤回。"),
        "Only an approved override can be revoked",
    )


def test_a_revoked_override_cannot_be_revoked_again(parties):
    override = approved(parties)
    services.revoke_override(parties.regulator, attached(override), "情况发生变化。")
    db.session.commit()
    refused(
        lambda: services.revoke_override(parties.regulator, attached(override), "再次。"),
        "Only an approved override",
    )


def test_an_override_past_its_end_day_cannot_be_revoked_or_approved(parties, clock):
    override = approved(parties, ends_on=date(2026, 10, 31))
    late = proposed(parties, ends_on=date(2026, 10, 31), stars=3)
    clock.set(date(2026, 11, 1))
    refused(
        lambda: services.revoke_override(parties.regulator, attached(override), "理由。"),
        "already ended",
    )
    refused(
        lambda: services.decide_override(
            parties.reviewer, attached(late), "approve", "同意。", PASSWORD
        ),
        "has passed",
    )


def test_an_agency_not_active_or_suspended_has_no_grade_to_override(parties, make_agency):
    pending = make_agency("pending")
    refused(
        lambda: services.propose_override(parties.regulator, attached(pending), proposal()),
        "Only an active or suspended agency",
    )


def test_a_blacklisted_agency_has_no_stars_to_override(parties):
    agency = attached(parties.agency)
    agency.listed_from, agency.listed_until = date(2026, 1, 1), date(2026, 12, 31)
    db.session.commit()
    refused(
        lambda: services.propose_override(parties.regulator, attached(agency), proposal()),
        "on the blacklist",
    )


def test_the_stars_shown_follow_approval_and_revocation(parties):
    override = approved(parties, stars=4)
    agency = attached(parties.agency)
    assert (agency.stars, agency.rating_status) == (4, "rated")
    services.revoke_override(parties.regulator, attached(override), "情况发生变化。")
    db.session.commit()
    agency = attached(parties.agency)
    assert agency.stars is None
    assert agency.rating_status == "unrated"
