"""The supervision dashboard: every deadline kind with its accountable party, filters that
refuse bad input clearly, pages, the CSV export, and supervisors who read but never act."""

import csv
import io

import pytest
from flask_babel import force_locale

from registry.supervision.items import Kind, deadline_items
from tests.supervision.conftest import ENGLISH, TODAY, page_text


def rows(client, query: str = "") -> list[tuple[str, str]]:
    """(kind, accountable) of each row the dashboard shows."""
    response = client.get(f"/supervision/{query}", headers=ENGLISH)
    assert response.status_code == 200
    return parse_rows(page_text(response))


def parse_rows(text: str) -> list[tuple[str, str]]:
    found = []
    for chunk in text.split('data-testid="item" data-kind="')[1:]:
        kind = chunk.split('"', 1)[0]
        accountable = chunk.split('data-testid="accountable">', 1)[1].split("<", 1)[0].strip()
        found.append((kind, accountable))
    return found


def test_every_deadline_kind_appears_with_its_accountable_party(world, login_as, client):
    login_as("regulator")
    shown = dict(rows(client))
    assert shown == {
        "complaint_accept": "Regulators (not assigned)",
        "complaint_response": "江阴华澄测绘有限公司",
        "complaint_conclusion": "周监管",
        "objection_window": "江阴华澄测绘有限公司",
        "blacklist_decision": "A reviewer other than 周监管",
        "repair_decision": "A reviewer other than 周监管",
        "engagement": "江阴华澄测绘有限公司 · 孙机构",
        "commitment_lapsing": "江阴信达评估有限公司",
        "commitment_lapsed": "江阴明远工程咨询有限公司",
    }
    assert set(shown) == {kind.value for kind in Kind}


def test_items_carry_due_dates_and_working_days_overdue(world, app):
    with force_locale("en"):
        items = {item.kind: item for item in deadline_items(TODAY)}
    assert items[Kind.OBJECTION_WINDOW].is_overdue is False
    assert items[Kind.COMMITMENT_LAPSING].is_overdue is False
    for kind in set(Kind) - {Kind.OBJECTION_WINDOW, Kind.COMMITMENT_LAPSING}:
        assert items[kind].overdue_working_days > 3, kind
    assert items[Kind.COMPLAINT_CONCLUSION].accountable_account_id == world.regulator.id


def test_regulators_see_links_and_escalation_buttons(world, login_as, client):
    login_as("regulator")
    text = page_text(client.get("/supervision/", headers=ENGLISH))
    assert f"/complaints/{world.conclusion.id}" in text
    assert f"/supervision/escalate/engagement/{world.engagement.id}" in text
    assert "Escalate now" in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?kind=engagement", {"engagement"}),
        ("?kind=complaint_response", {"complaint_response"}),
        ("?accountable=reviewers", {"blacklist_decision", "repair_decision"}),
        ("?accountable=regulators", {"complaint_accept"}),
        ("?accountable=me", {"complaint_conclusion"}),
        (
            "?accountable=agency&overdue=y",
            {"complaint_response", "engagement", "commitment_lapsed"},
        ),
        (f"?due_from={TODAY.isoformat()}", {"objection_window", "commitment_lapsing"}),
    ],
)
def test_filters_narrow_the_list(world, client, auth, query, expected):
    auth.login(world.regulator.email)
    assert {kind for kind, _ in rows(client, query)} == expected


def test_overdue_only_leaves_out_what_is_still_running(world, login_as, client):
    login_as("reviewer")
    kinds = {kind for kind, _ in rows(client, "?overdue=y")}
    assert kinds == {k.value for k in Kind} - {"objection_window", "commitment_lapsing"}


def test_accountable_filter_by_account(world, client, login_as):
    login_as("reviewer")
    assert rows(client, f"?accountable={world.regulator.id}") == [
        ("complaint_conclusion", "周监管")
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?due_from=2026-13-45", "Enter a date as YYYY-MM-DD"),
        ("?due_to=yesterday", "Enter a date as YYYY-MM-DD"),
        ("?due_from=1900-01-01", "Choose a date between 2000 and 2099."),
        ("?due_to=2300-01-01", "Choose a date between 2000 and 2099."),
        ("?due_from=2026-12-01&due_to=2026-11-01", "The end of the range is before its start."),
        ("?accountable=999999", "Choose someone from the list."),
        ("?kind=nonsense", "Not a valid choice"),
        ("?page=0", "Number must be between 1 and 100000."),
    ],
)
def test_bad_filters_are_refused_with_a_message(world, login_as, client, query, message):
    login_as("regulator")
    for path in ("/supervision/", "/supervision/dashboard.csv"):
        response = client.get(path + query, headers=ENGLISH)
        assert response.status_code == 400
        assert message in page_text(response)


def test_long_lists_come_in_pages(world, app, client, login_as):
    app.config["PAGE_SIZE"] = 4
    login_as("regulator")
    first, third = rows(client), rows(client, "?page=3")
    assert len(first) == 4
    assert len(third) == 1
    assert "9 in all, page 1 of 3" in page_text(client.get("/supervision/", headers=ENGLISH))
    assert rows(client, "?page=99") == []


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_export_holds_the_filtered_items(world, login_as, client):
    login_as("regulator")
    response = client.get("/supervision/dashboard.csv?overdue=y", headers=ENGLISH)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = read_csv(response)
    assert table[0][:3] == ["kind", "kind_label", "reference"]
    assert len(table) == 1 + 7
    engagement = next(row for row in table if row[0] == "engagement")
    assert engagement[7] == "江阴华澄测绘有限公司 · 孙机构"
    assert int(engagement[6]) > 3


def test_csv_cells_cannot_start_a_formula(world, login_as, client):
    world.agency.set_name("=HYPERLINK(1)测绘")
    from registry.db import db

    db.session.merge(world.agency)
    db.session.commit()
    login_as("regulator")
    table = read_csv(client.get("/supervision/dashboard.csv?kind=engagement"))
    assert table[1][4] == "'=HYPERLINK(1)测绘"


def test_an_export_matching_nothing_is_a_header_and_the_page_says_so(world, login_as, client):
    login_as("regulator")
    query = "?kind=objection_window&overdue=y"
    table = read_csv(client.get("/supervision/dashboard.csv" + query))
    assert len(table) == 1
    assert "an export would hold only the header row" in page_text(
        client.get("/supervision/" + query, headers=ENGLISH)
    )


def test_supervisors_read_everything_but_see_no_action(world, login_as, client):
    login_as("supervisor")
    response = client.get("/supervision/", headers=ENGLISH)
    text = page_text(response)
    assert len(parse_rows(text)) == 9
    assert "Escalate now" not in text
    assert "/supervision/escalate/" not in text
    assert f"/complaints/{world.conclusion.id}" not in text  # the regulators' page
    assert "acting on an item is for the regulators" in text


def test_a_supervisor_trying_to_act_is_refused(world, login_as, client):
    from tests.conftest import post_form

    login_as("supervisor")
    url = f"/supervision/escalate/engagement/{world.engagement.id}"
    assert client.get(url).status_code == 403
    assert post_form(client, url).status_code == 403


@pytest.mark.parametrize("role", ["agency", "enterprise", "public", "admin"])
def test_other_roles_cannot_open_the_dashboard(world, login_as, client, role):
    login_as(role)
    assert client.get("/supervision/").status_code == 403
    assert client.get("/supervision/dashboard.csv").status_code == 403


def test_the_workspace_links_to_the_dashboard(world, login_as, client):
    login_as("supervisor")
    assert 'data-testid="supervision-link"' in page_text(client.get("/workspace"))
