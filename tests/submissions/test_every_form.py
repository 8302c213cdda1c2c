"""Every form that creates something carries a one-time token, refuses to save without one, and
creates once however often the same submission is sent."""

import html

import pytest

from registry.submissions.services import TOKEN_PATTERN
from tests.conftest import csrf_token
from tests.submissions.conftest import CREATING_FORMS, ENGLISH, hidden_fields, written

REPLAYED = "This was already submitted: here it is."
REGISTRATION_REPLAYED = "This registration was already received."


@pytest.mark.parametrize("name", CREATING_FORMS)
def test_every_creating_form_carries_a_token_and_creates_once(app, client, kit, name):
    form = getattr(kit, name)()
    page = client.get(form.page)
    assert page.status_code == 200
    hidden = hidden_fields(page)
    assert TOKEN_PATTERN.fullmatch(hidden["submission_token"])
    before, log = form.rows(), written()

    without_token = form.fields(hidden)
    del without_token["submission_token"]
    client.post(form.url, data=without_token)
    assert (form.rows(), written()) == (before, log), "no token, nothing saved"

    first = client.post(form.url, data=form.fields(hidden), headers=ENGLISH)
    assert first.status_code == 302, page_text(first)
    assert form.rows() == before + 1
    created, log = form.rows(), written()

    again_from = app.test_client() if form.anonymous else client
    again = again_from.post(
        form.url,
        data=form.fields({**hidden, "csrf_token": csrf_token(again_from)}),
        headers=ENGLISH,
    )
    assert again.status_code == 302
    assert (form.rows(), written()) == (created, log), "a replay adds no row, event or notice"
    if form.anonymous:
        assert again.headers["Location"] == "/login"
        assert REGISTRATION_REPLAYED in page_text(again_from.get("/login", headers=ENGLISH))
    else:
        assert again.headers["Location"] == first.headers["Location"]
        shown = client.get(again.headers["Location"], headers=ENGLISH)
        assert REPLAYED in page_text(shown)


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))
