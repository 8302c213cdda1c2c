"""The inbox pages: each user reads only their own notices, in their own language."""

import re

import pytest
from flask import g
from sqlalchemy import event

from registry.db import db
from registry.inbox.models import Notice
from tests.conftest import post_form
from tests.inbox.conftest import CHINESE, ENGLISH, notices_of

UNREAD_BADGE = re.compile(r'data-testid="inbox-unread">(\d+)<')


def page_text(response) -> str:
    return response.get_data(as_text=True)


def unread_in_nav(client, path="/workspace") -> list[str]:
    return UNREAD_BADGE.findall(page_text(client.get(path, headers=ENGLISH)))


def test_the_inbox_lists_ones_own_notices_newest_first(client, login_as, make_account, send):
    reader = login_as("enterprise")
    send(reader, name="第一")
    send(reader, name="第二")
    send(make_account("agency"), name="别人的")
    page = page_text(client.get("/inbox/", headers=ENGLISH))
    assert page.index("Agent 第二 added.") < page.index("Agent 第一 added.")
    assert "别人的" not in page
    assert page.count('data-unread="yes"') == 2


@pytest.mark.parametrize(
    ("headers", "subject", "body"),
    [
        (
            ENGLISH,
            "Agent 王芳 added.",
            "王芳 will be listed again in the public directory for 华士镇.",
        ),
        (CHINESE, "已添加代办员 王芳。", "王芳 将重新列入华士镇代办员公开名录。"),
    ],
)
def test_a_notice_is_shown_in_the_readers_language(client, login_as, send, headers, subject, body):
    (notice,) = send(login_as("agency"))
    for path in ("/inbox/", f"/inbox/{notice.id}"):
        page = page_text(client.get(path, headers=headers))
        assert subject in page, path
        assert body in page, path


def test_a_notice_of_an_unknown_kind_still_shows(client, login_as):
    reader = login_as("agency")
    notice = Notice(recipient_id=reader.id, kind="retired.kind", params={"x": 1})
    db.session.add(notice)
    db.session.commit()
    for path in ("/inbox/", f"/inbox/{notice.id}"):
        response = client.get(path, headers=ENGLISH)
        assert response.status_code == 200, path
        assert "The text of this notice is not available." in page_text(response)


def test_another_users_notice_is_not_found(client, login_as, make_account, send):
    owner = make_account("agency")
    (notice,) = send(owner)
    login_as("agency")
    assert client.get(f"/inbox/{notice.id}").status_code == 404
    assert post_form(client, f"/inbox/{notice.id}/read").status_code == 404
    assert post_form(client, f"/inbox/{notice.id}/open").status_code == 404
    assert notices_of(owner)[0].read_at is None


def test_opening_a_notice_page_does_not_mark_it_read(client, login_as, send):
    reader = login_as("agency")
    (notice,) = send(reader)
    assert client.get(f"/inbox/{notice.id}").status_code == 200
    assert notices_of(reader)[0].read_at is None


def test_mark_read_marks_one_and_goes_back(client, login_as, send):
    reader = login_as("agency")
    first, second = send(reader)[0], send(reader)[0]
    response = post_form(client, f"/inbox/{first.id}/read", {"next": "/inbox/?page=1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/inbox/?page=1"
    assert [n.read_at is not None for n in notices_of(reader)] == [True, False]
    assert second.id


def test_mark_read_refuses_a_foreign_next(client, login_as, send):
    (notice,) = send(login_as("agency"))
    response = post_form(client, f"/inbox/{notice.id}/read", {"next": "https://evil.example/"})
    assert response.headers["Location"] == "/inbox/"


def test_following_a_link_marks_the_notice_read(client, login_as, send):
    reader = login_as("agency")
    (linked,) = send(reader, link="/agents")
    (unlinked,) = send(reader)
    (gone,) = send(reader, link=("agents.directory", {}))
    db.session.merge(gone).link = {"endpoint": "retired.page", "args": {}}
    db.session.commit()

    assert post_form(client, f"/inbox/{linked.id}/open").headers["Location"] == "/agents"
    assert post_form(client, f"/inbox/{unlinked.id}/open").headers["Location"] == (
        f"/inbox/{unlinked.id}"
    )
    assert post_form(client, f"/inbox/{gone.id}/open").headers["Location"] == f"/inbox/{gone.id}"
    assert all(n.read_at is not None for n in notices_of(reader))


def test_only_notices_with_a_working_link_offer_to_go_there(client, login_as, send):
    reader = login_as("agency")
    (linked,) = send(reader, link="/agents")
    (unlinked,) = send(reader)
    page = page_text(client.get("/inbox/"))
    assert f"/inbox/{linked.id}/open" in page
    assert f"/inbox/{unlinked.id}/open" not in page


def test_mark_all_read_leaves_notices_that_arrived_after_the_page(client, login_as, send):
    reader = login_as("agency")
    send(reader)
    send(reader)
    form = page_text(client.get("/inbox/"))
    up_to = re.search(r'name="up_to" type="hidden" value="(\d+)"', form).group(1)
    send(reader, name="后来的")

    response = post_form(client, "/inbox/read", {"up_to": up_to}, headers=ENGLISH)
    assert response.status_code == 302
    assert "2 notices marked as read." in page_text(client.get("/inbox/", headers=ENGLISH))
    assert [n.read_at is not None for n in notices_of(reader)] == [True, True, False]

    post_form(client, "/inbox/read")
    assert all(n.read_at is not None for n in notices_of(reader))


@pytest.mark.parametrize("path", ["/inbox/read", "/inbox/{id}/read", "/inbox/{id}/open"])
def test_posts_without_the_csrf_token_are_refused(client, login_as, send, path):
    reader = login_as("agency")
    (notice,) = send(reader, link="/agents")
    response = client.post(path.format(id=notice.id), data={})
    assert response.status_code == 400
    assert notices_of(reader)[0].read_at is None


def test_the_navigation_shows_the_unread_count(client, login_as, send):
    reader = login_as("supervisor")
    assert unread_in_nav(client) == []
    for _ in range(3):
        send(reader)
    assert unread_in_nav(client) == ["3", "3"], "the phone button and the menu item"
    assert "(3 unread)" in page_text(client.get("/workspace", headers=ENGLISH))
    post_form(client, "/inbox/read")
    assert unread_in_nav(client) == []


def test_the_unread_count_is_one_query_per_request(app, make_account, send):
    from flask_login import login_user

    from registry.inbox.views import inbox_unread_count

    reader = make_account("agency")
    send(reader)
    statements = []

    def count(*args):
        if "FROM notice" in args[2]:
            statements.append(args[2])

    with app.test_request_context():
        login_user(db.session.merge(reader))
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert [inbox_unread_count() for _ in range(3)] == [1, 1, 1]
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert g.inbox_unread_count == 1
    assert len(statements) == 1


def test_visitors_cost_no_query(app):
    from registry.inbox.views import inbox_unread_count

    statements = []

    def count(*args):
        statements.append(args[2])

    with app.test_request_context():
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert inbox_unread_count() is None
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert statements == []


def test_visitors_see_no_inbox_link(client):
    assert "/inbox/" not in page_text(client.get("/"))


def test_the_inbox_is_paginated(client, login_as, send, app):
    reader = login_as("agency")
    for number in range(app.config["PAGE_SIZE"] + 3):
        send(reader, name=f"第{number}号")
    first = page_text(client.get("/inbox/", headers=ENGLISH))
    second = page_text(client.get("/inbox/?page=2", headers=ENGLISH))
    assert first.count('data-testid="notice"') == app.config["PAGE_SIZE"]
    assert second.count('data-testid="notice"') == 3
    assert "Agent 第0号 added." in second, "the oldest come last"
    assert 'href="/inbox/?page=2"' in first


def test_the_unread_filter_shows_only_unread_notices(client, login_as, send):
    reader = login_as("agency")
    (read,) = send(reader, name="已读的")
    send(reader, name="未读的")
    post_form(client, f"/inbox/{read.id}/read")
    page = page_text(client.get("/inbox/?show=unread"))
    assert "未读的" in page
    assert "已读的" not in page
