"""Fair selection: a draw among at least three eligible agencies, re-runnable from what is
stored; the drawn agency's engagement links to it."""

import hashlib
from datetime import date

import pytest
from flask_babel import force_locale

from ratings.engagements import draws, services
from ratings.engagements.eligibility import eligible_agencies
from ratings.engagements.models import FairDraw
from registry.accounts.permissions import PermissionDenied
from registry.agencies.models import FeeSchedule
from registry.db import db
from tests.conftest import post_form
from tests.ratings.engagements.conftest import ENGLISH, actions, count, details


@pytest.fixture
def offering(world, make_account, make_agency, publish_fee, commit_letter):
    """make n more active agencies offering the world's service, each with a signed letter."""

    def make(n: int, *, signed: bool = True, status: str = "active"):
        agencies = []
        for number in range(n):
            user = make_account("agency")
            agency = make_agency(status, name=f"江阴候选测绘有限公司{number}", users=[user])
            publish_fee(agency, world.item)
            if signed:
                if status != "active":
                    agency.status = "active"
                    db.session.commit()
                commit_letter(agency, user)
                agency.status = status
                db.session.commit()
            agencies.append(agency)
        return agencies

    return make


def drawn(world, min_stars=None) -> FairDraw:
    draw = draws.draw_agency(world.enterprise_user, world.enterprise, world.item, min_stars)
    db.session.commit()
    return draw


def refusal(world, min_stars=None) -> str:
    with force_locale("en"), pytest.raises(services.EngagementError) as error:
        draws.draw_agency(world.enterprise_user, world.enterprise, world.item, min_stars)
    db.session.rollback()
    return str(error.value)


def test_the_choice_is_sha256_of_seed_and_candidates_mod_n():
    seed, codes = "00ff", ["A", "B", "C"]
    digest = hashlib.sha256(b"00ff|A,B,C").hexdigest()
    assert draws.choose(seed, codes) == int(digest, 16) % 3
    assert draws.choose(seed, codes) == draws.choose(seed, list(codes)), "deterministic"


def test_different_seeds_reach_every_candidate():
    chosen = {draws.choose(f"{n:032x}", ["A", "B", "C"]) for n in range(50)}
    assert chosen == {0, 1, 2}


def test_a_draw_stores_candidates_seed_and_result_and_reruns_the_same(world, offering, clock):
    offering(3)
    draw = drawn(world)
    codes = draw.candidate_codes
    assert codes == sorted(codes)
    assert draw.candidate_count == 3
    assert len(draw.seed) == 32
    assert draw.chosen_agency.credit_code == codes[draw.chosen_index]
    assert draw.chosen_index == draws.choose(draw.seed, codes)
    assert draws.rerun(draw).matches
    assert actions("fair_draw.") == ["fair_draw.drawn"]


def test_a_tampered_result_does_not_rerun(world, offering):
    offering(3)
    draw = drawn(world)
    draw.chosen_index = (draw.chosen_index + 1) % 3
    assert not draws.rerun(draw).matches


def test_fewer_than_three_eligible_agencies_refuse_the_draw(world, offering):
    offering(1)  # with the world's agency, which has no commitment: one eligible
    message = refusal(world)
    assert "Only 1 agency is eligible" in message
    assert "at least 3" in message
    assert count(FairDraw) == 0


def test_suspended_and_uncommitted_agencies_are_not_candidates(world, offering, clock):
    eligible = offering(3)
    suspended = offering(1, status="suspended")
    uncommitted = offering(1, signed=False)
    codes = {agency.credit_code for agency in eligible_agencies(world.item.id, clock.today())}
    assert codes == {agency.credit_code for agency in eligible}
    assert suspended[0].credit_code not in codes
    assert uncommitted[0].credit_code not in codes
    assert world.agency.credit_code not in codes, "the world's agency never signed"


def test_blacklisted_agencies_are_not_candidates(world, offering, clock):
    eligible = offering(4)
    listed = eligible[0]
    listed.listed_from, listed.listed_until = date(2026, 6, 1), date(2027, 5, 31)
    db.session.commit()
    codes = {agency.credit_code for agency in eligible_agencies(world.item.id, clock.today())}
    assert listed.credit_code not in codes
    assert len(codes) == 3


def test_agencies_not_offering_the_service_today_are_not_candidates(world, offering, clock):
    eligible = offering(3)
    ended = db.session.execute(
        db.select(FeeSchedule).where(FeeSchedule.agency_id == eligible[0].id)
    ).scalar_one()
    ended.effective_to = clock.today()
    db.session.commit()
    assert len(eligible_agencies(world.item.id, clock.today())) == 2
    assert "Only 2 agencies are eligible" in refusal(world)


def test_a_minimum_of_stars_leaves_out_unrated_agencies(world, offering):
    offering(4)
    message = refusal(world, min_stars=3)
    assert "Only 0 agencies are eligible" in message
    assert "unrated agencies do not count" in message


def test_only_the_enterprises_own_accounts_draw(world, offering, make_account):
    offering(3)
    with pytest.raises(PermissionDenied):
        draws.draw_agency(world.agency_user, world.enterprise, world.item)
    assert count(FairDraw) == 0


def test_the_engagement_with_the_drawn_agency_links_to_the_draw_once(world, offering):
    offering(3)
    draw = drawn(world)
    changes = {"agency_id": draw.chosen_agency_id, "fair_draw_id": draw.id}
    engagement = services.record_engagement(
        world.enterprise_user, world.enterprise, details(world, **changes)
    )
    db.session.commit()
    assert engagement.fair_draw_id == draw.id
    with force_locale("en"), pytest.raises(services.EngagementError, match="already recorded"):
        services.record_engagement(
            world.enterprise_user, world.enterprise, details(world, **changes)
        )


def test_a_draw_cannot_be_used_for_another_agency(world, offering):
    candidates = offering(3)
    draw = drawn(world)
    other = next(agency for agency in candidates if agency.id != draw.chosen_agency_id)
    with force_locale("en"), pytest.raises(services.EngagementError, match="another agency"):
        services.record_engagement(
            world.enterprise_user,
            world.enterprise,
            details(world, agency_id=other.id, fair_draw_id=draw.id),
        )


def test_the_public_page_reruns_the_draw(client, world, offering):
    offering(3)
    draw = drawn(world)
    code, seed, candidates = draw.code, draw.seed, draw.candidates
    chosen = draw.chosen_agency.name
    page = client.get(f"/draws/{code.lower()}", headers=ENGLISH).get_data(as_text=True)
    assert 'data-matches="yes"' in page
    assert seed in page
    assert hashlib.sha256(f"{seed}|{candidates}".encode()).hexdigest() in page
    assert chosen in page
    assert world.enterprise.name not in page, "the public learns no enterprise's business"
    lookup = client.get(f"/draws?code={code}")
    assert lookup.headers["Location"].endswith(f"/draws/{code}")
    assert client.get("/draws?code=NOPE", headers=ENGLISH).status_code == 400


def test_an_enterprise_draws_through_the_form(client, world, offering, auth):
    offering(3)
    auth.login(world.enterprise_user.email)
    response = post_form(
        client, "/my/enterprise/draws/new", {"service_item": world.item.id, "min_stars": ""}
    )
    assert response.status_code == 302
    draw = db.session.execute(db.select(FairDraw)).scalar_one()
    assert response.headers["Location"].endswith(f"/draws/{draw.code}")
    page = client.get(response.headers["Location"], headers=ENGLISH).get_data(as_text=True)
    assert "Record the engagement with" in page


def test_the_form_shows_why_a_draw_is_refused(client, world, auth):
    auth.login(world.enterprise_user.email)
    response = post_form(
        client,
        "/my/enterprise/draws/new",
        {"service_item": world.item.id},
        headers=ENGLISH,
    )
    assert response.status_code == 400
    assert "Only 0 agencies are eligible" in response.get_data(as_text=True)
    assert count(FairDraw) == 0


def test_draws_are_judged_on_the_day_drawn(world, offering, clock):
    offering(3)
    clock.set(date(2026, 10, 20))
    assert drawn(world).drawn_on == date(2026, 10, 20)
