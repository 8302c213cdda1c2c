"""Sending notices: who gets them, once per key, in the sender's transaction."""

from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from registry.accounts.permissions import SYSTEM, PermissionDenied
from registry.accounts.roles import REGULATOR_ROLES
from registry.audit.models import AuditEvent
from registry.audit.services import record
from registry.db import db
from registry.inbox import services
from registry.inbox.kinds import register_kind
from registry.inbox.models import Notice
from tests.inbox.conftest import count_notices, notices_of

PARAMS = {"name": "王芳", "town": "华士镇"}


def test_a_notice_reaches_each_recipient_once(app, make_account, send):
    first, second = make_account("enterprise"), make_account("agency")
    created = send([first, second.id, first])
    assert [notice.recipient_id for notice in created] == [first.id, second.id]
    assert [notice.kind for notice in notices_of(first)] == ["test.agent_added"]
    assert notices_of(second)[0].params == PARAMS
    assert notices_of(second)[0].read_at is None


def test_notify_agency_reaches_its_active_staff_only(app, make_account, make_agency):
    staff, colleague, former = (make_account("agency") for _ in range(3))
    other_staff = make_account("agency")
    agency = make_agency(users=[staff, colleague, former])
    make_agency(users=[other_staff])
    db.session.merge(former).active = False
    db.session.commit()

    services.notify_agency(agency.id, "test.agent_added", params=PARAMS)
    db.session.commit()

    assert [len(notices_of(a)) for a in (staff, colleague, former, other_staff)] == [1, 1, 0, 0]


def test_notify_role_reaches_regulators_and_reviewers(app, make_account):
    regulator, reviewer, admin = (make_account(r) for r in ("regulator", "reviewer", "admin"))
    disabled = make_account("regulator", active=False)

    services.notify_role(REGULATOR_ROLES, "test.agent_added", params=PARAMS)
    services.notify_role("admin", "test.agent_added", params=PARAMS)
    db.session.commit()

    assert [len(notices_of(a)) for a in (regulator, reviewer, admin, disabled)] == [1, 1, 1, 0]


def test_the_same_key_twice_makes_one_notice(app, make_account, send):
    account = make_account("agency")
    assert len(send(account, dedupe_key="lapse:7:2026-12-01")) == 1
    assert send(account, dedupe_key="lapse:7:2026-12-01") == []
    assert len(send(account, dedupe_key="lapse:7:2026-12-31")) == 1
    assert len(send(account)) == 1, "notices without a key are never deduplicated"
    assert len(send(account)) == 1
    assert len(notices_of(account)) == 4


def test_a_key_already_read_still_counts_as_sent(app, make_account, send):
    account = make_account("agency")
    (notice,) = send(account, dedupe_key="once")
    services.mark_read(account, db.session.merge(notice))
    db.session.commit()
    assert send(account, dedupe_key="once") == []


def test_a_racing_duplicate_does_not_fail_the_senders_transaction(
    app, make_account, send, monkeypatch
):
    """Another sender inserted the same key between the check and the insert."""
    account, newcomer = make_account("agency"), make_account("agency")
    send(account, dedupe_key="race")
    real_check, checks = services._holding_key, []

    def check_too_early(ids, key):
        checks.append(ids)
        return set() if len(checks) == 1 else real_check(ids, key)

    monkeypatch.setattr(services, "_holding_key", check_too_early)

    record("test.sender_work", actor=SYSTEM)  # the caller's own change, in the same transaction
    created = services.notify(
        [account, newcomer], "test.agent_added", params=PARAMS, dedupe_key="race"
    )
    db.session.commit()

    assert [notice.recipient_id for notice in created] == [newcomer.id]
    assert len(notices_of(account)) == 1
    assert db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "test.sender_work")
    ).scalar_one()


def test_a_failure_that_is_not_a_duplicate_still_raises(app, make_account):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        services.notify(999_999, "test.agent_added", params=PARAMS, dedupe_key="x")
    db.session.rollback()


def test_notify_leaves_the_commit_to_the_caller(app, make_account):
    account = make_account("agency")
    services.notify(account, "test.agent_added", params=PARAMS)
    db.session.rollback()
    assert count_notices() == 0


def test_a_notice_without_a_link_stores_null(app, make_account, send):
    send(make_account("agency"))
    assert db.session.execute(select(Notice.id).where(Notice.link.is_(None))).scalar_one()


def test_a_kind_must_be_registered_before_it_is_sent(app, make_account):
    with pytest.raises(ValueError, match="unknown notice kind"):
        services.notify(make_account("agency"), "test.never_registered")


@pytest.mark.parametrize("key", ["nodot", "Upper.case", "trailing.", "x" * 60 + ".long"])
def test_kind_keys_are_dotted_lower_case(key):
    with pytest.raises(ValueError, match="dotted"):
        register_kind(key, "subject")


@pytest.mark.parametrize(
    ("link", "stored"),
    [
        ("/agents", {"path": "/agents"}),
        (("agents.show", {"agent_id": 3}), {"endpoint": "agents.show", "args": {"agent_id": 3}}),
    ],
)
def test_links_are_kept_as_paths_or_endpoints(app, make_account, link, stored):
    (notice,) = services.notify(make_account("agency"), "test.agent_added", link=link)
    assert notice.link == stored


@pytest.mark.parametrize(
    "link", ["https://evil.example/", "//evil.example", "agents", ("no.such_endpoint", {})]
)
def test_a_link_that_cannot_work_is_refused_when_sent(app, make_account, link):
    with pytest.raises(ValueError, match="notice link"):
        services.notify(make_account("agency"), "test.agent_added", link=link)


def test_params_must_be_json_values_or_dates(app, make_account):
    with pytest.raises(TypeError, match="JSON values or dates"):
        services.notify(make_account("agency"), "test.agent_added", params={"name": object()})


def test_date_params_are_shown_in_the_readers_format(app, make_account):
    (notice,) = services.notify(
        make_account("agency"), "test.fee_date", params={"day": date(2026, 12, 1)}
    )
    db.session.commit()
    assert notice.params == {"day": {"$date": "2026-12-01"}}
    with app.test_request_context(), force_locale("en"):
        assert "(Dec 1, 2026)" in notice.subject
    with app.test_request_context(), force_locale("zh_CN"):
        assert "2026年12月1日" in notice.subject


def test_a_missing_param_shows_an_ellipsis_not_an_error(app, make_account):
    (notice,) = services.notify(make_account("agency"), "test.agent_added", params={"name": "王芳"})
    with app.test_request_context(), force_locale("en"):
        assert notice.body == "王芳 will be listed again in the public directory for …."


def test_an_unknown_kind_renders_a_generic_text(app, make_account):
    notice = Notice(recipient_id=make_account("agency").id, kind="gone.kind", params={})
    with app.test_request_context(), force_locale("en"):
        assert (notice.subject, notice.body) == (
            "Notice",
            "The text of this notice is not available.",
        )


def test_only_the_recipient_marks_a_notice_read(app, make_account, send):
    owner, other = make_account("agency"), make_account("regulator")
    (notice,) = send(owner)
    with pytest.raises(PermissionDenied):
        services.mark_read(other, notice)
    with pytest.raises(PermissionDenied):
        services.mark_read(SYSTEM, notice)
    assert services.mark_read(owner, notice) is True
    assert services.mark_read(owner, notice) is False, "already read"


def test_mark_all_read_touches_only_the_actors_notices(app, make_account, send):
    owner, other = make_account("agency"), make_account("agency")
    send(owner)
    send(owner)
    newest = send(owner)[0]
    send(other)
    assert services.mark_all_read(owner, up_to=newest.id - 1) == 2
    db.session.commit()
    assert (services.unread_count(owner), services.unread_count(other)) == (1, 1)
    assert services.mark_all_read(owner) == 1
    with pytest.raises(PermissionDenied):
        services.mark_all_read(SYSTEM)


def test_no_recipients_means_no_notice(app, make_agency):
    assert services.notify([], "test.agent_added", params=PARAMS) == []
    assert services.notify_agency(make_agency(), "test.agent_added", dedupe_key="k") == []
    assert count_notices() == 0


@pytest.mark.parametrize("key", ["", "k" * 201])
def test_a_dedupe_key_has_a_sensible_length(app, make_account, key):
    with pytest.raises(ValueError, match="dedupe_key"):
        services.notify(make_account("agency"), "test.agent_added", dedupe_key=key)
