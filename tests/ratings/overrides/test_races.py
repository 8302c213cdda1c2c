"""Two people proposing, deciding or revoking star overrides of one agency at once: one
succeeds, the other is refused with who acted first and when; the overrides, the audit log
and the notices hold one decision (on PostgreSQL the acts overlap; on SQLite in turn)."""

import time

from sqlalchemy import select

from ratings.overrides import services
from ratings.overrides.models import OverrideState, RatingOverride
from registry.accounts.models import Account
from registry.db import db
from tests.conftest import PASSWORD
from tests.ratings.overrides.conftest import (
    actions_on,
    approved,
    notices_to,
    proposal,
    proposed,
)
from tests.ratings.races import names, one_refused, winner

WHEN = "2026-09-29 10:00"  # the clock's local time, when each act happens


def _get(model, row):
    return db.session.get(model, row.id)


def _played_by(account, service, row, *args):
    """An act: `account` reads the row, then (once every act has read) calls the service."""

    def act():
        actor, target = _get(Account, account), _get(type(row), row)
        yield
        return service(actor, target, *args)

    return act


def _overrides() -> list[RatingOverride]:
    return list(db.session.execute(select(RatingOverride).order_by(RatingOverride.id)).scalars())


def test_two_proposals_for_one_agency_at_once_leave_one_open(app, parties, make_account, race):
    colleague = make_account("regulator", name="郑监管")
    outcomes = race(
        _played_by(parties.regulator, services.propose_override, parties.agency, proposal(5)),
        _played_by(colleague, services.propose_override, parties.agency, proposal(4)),
    )
    refusal = one_refused(outcomes, services.OverrideError)
    first = winner(outcomes, parties.regulator, colleague)
    assert names(refusal, first, WHEN)
    [kept] = _overrides()
    assert (kept.state, kept.proposed_by_id) == (OverrideState.PROPOSED, first.id)
    assert len(notices_to(parties.staff, "override.proposed_to_agency")) == 1


def test_approving_and_rejecting_a_proposal_at_once_decide_it_once(app, parties, race):
    override = proposed(parties)
    decide = services.decide_override
    outcomes = race(
        _played_by(parties.reviewer, decide, override, "approve", "理由充分。", PASSWORD),
        _played_by(parties.other_reviewer, decide, override, "reject", "依据不足。", PASSWORD),
    )
    refusal = one_refused(outcomes, services.OverrideError)
    first = winner(outcomes, parties.reviewer, parties.other_reviewer)
    assert names(refusal, first, WHEN)
    row = _get(RatingOverride, override)
    assert row.decided_by_id == first.id
    decision = "approved" if first is parties.reviewer else "rejected"
    assert row.state == decision
    assert actions_on(row) == ["rating_override.proposed", f"rating_override.{decision}"]
    assert len(notices_to(parties.regulator, f"override.{decision}")) == 1
    other = "rejected" if decision == "approved" else "approved"
    assert notices_to(parties.regulator, f"override.{other}") == []


def test_approving_a_replacement_while_the_earlier_override_is_revoked_revokes_it_once(
    app, parties, race
):
    earlier = approved(parties, stars=4)
    replacement = proposed(parties, stars=3)

    def revoke_a_moment_later():
        actor, row = _get(Account, parties.regulator), _get(RatingOverride, earlier)
        yield
        time.sleep(0.5)  # the approval (its password checked) goes first, most of the time
        services.revoke_override(actor, row, "情况已变化。")

    outcomes = race(
        _played_by(
            parties.reviewer, services.decide_override, replacement, "approve", "同意。", PASSWORD
        ),
        revoke_a_moment_later,
    )
    assert outcomes[0] is None, outcomes  # the approval never depends on the earlier one
    if outcomes[1] is not None:  # the approval replaced it first
        assert names(one_refused(outcomes, services.OverrideError), parties.reviewer, WHEN)
    assert _get(RatingOverride, replacement).state == OverrideState.APPROVED
    row = _get(RatingOverride, earlier)
    assert row.state == OverrideState.REVOKED
    assert actions_on(row).count("rating_override.revoked") == 1
    assert len(notices_to(parties.staff, "override.revoked")) == 1


def test_an_override_revoked_twice_at_once_is_revoked_once(app, parties, race):
    override = approved(parties)
    outcomes = race(
        _played_by(parties.regulator, services.revoke_override, override, "情况已变化。"),
        _played_by(parties.other_reviewer, services.revoke_override, override, "依据已失效。"),
    )
    refusal = one_refused(outcomes, services.OverrideError)
    first = winner(outcomes, parties.regulator, parties.other_reviewer)
    assert names(refusal, first, WHEN)
    row = _get(RatingOverride, override)
    assert row.revoked_by_id == first.id
    assert actions_on(row).count("rating_override.revoked") == 1
    assert len(notices_to(parties.staff, "override.revoked")) == 1
