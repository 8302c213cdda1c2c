"""Members of the public register themselves (role `public`) and may file complaints; they
reach no agency, enterprise or regulator page."""

from ratings.complaints.models import Complaint
from registry.accounts.models import Account
from registry.db import db
from tests.conftest import PASSWORD, post_form
from tests.ratings.complaints.conftest import ENGLISH, page_text


def register(client, **changes):
    data = {
        "display_name": "李市民",
        "email": "Li.Citizen@Example.org",
        "password": PASSWORD,
        "confirm": PASSWORD,
        **changes,
    }
    return post_form(client, "/register/public", data, headers=ENGLISH)


def test_the_registration_page_offers_a_member_of_the_public(client):
    page = page_text(client.get("/register/", headers=ENGLISH))
    assert "A member of the public" in page
    assert "/register/public" in page


def test_a_member_of_the_public_registers_and_lands_signed_in(client):
    response = register(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/workspace")
    account = db.session.execute(
        db.select(Account).where(Account.email == "li.citizen@example.org")
    ).scalar_one()
    assert (account.role, account.agency_id, account.enterprise_id) == ("public", None, None)
    workspace = page_text(client.get("/workspace", headers=ENGLISH))
    assert "Member of the public" in workspace
    assert "My complaints" in workspace


def test_a_weak_password_or_a_taken_email_is_refused_keeping_the_name(client, make_account):
    response = register(client, password="short", confirm="short")
    assert response.status_code == 200
    assert "李市民" in page_text(response)
    make_account("enterprise", email="taken@example.org")
    response = register(client, email="taken@example.org")
    assert "An account with this email already exists." in page_text(response)
    assert db.session.query(Account).filter_by(role="public").count() == 0


def test_a_member_of_the_public_files_a_complaint(client, parties):
    register(client)
    response = post_form(
        client,
        f"/complaints/new/{parties.agency.credit_code}",
        {"category": "misconduct", "text": "机构人员暗示送礼可加快出具报告。", "confirm": "y"},
    )
    assert response.status_code == 302
    complaint = db.session.execute(db.select(Complaint)).scalar_one()
    assert complaint.complainant.role == "public"


def test_a_member_of_the_public_reaches_no_organisation_or_regulator_page(client, login_as):
    login_as("public")
    for path in (
        "/my/agency/",
        "/my/enterprise/",
        "/regulator/complaints",
        "/my/agency/complaints",
    ):
        assert client.get(path).status_code == 403, path
    assert client.get("/my/complaints").status_code == 200


def test_signed_in_users_cannot_register_again(client, login_as):
    login_as("public")
    assert client.get("/register/public").status_code == 403
