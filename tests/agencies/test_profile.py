"""The public profile: a stable URL by credit code, verified agencies only."""

from datetime import date

import pytest

from registry.agencies.models import Qualification
from registry.db import db


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_unverified_agencies_are_not_public(client, make_agency, status):
    agency = make_agency(status)
    assert client.get(f"/agencies/{agency.credit_code}").status_code == 404


def test_profile_is_found_by_code_in_any_case(client, make_agency):
    agency = make_agency("active", name="江阴澄源环境科技有限公司")
    page = client.get(f"/agencies/{agency.credit_code.lower()}").get_data(as_text=True)
    assert "江阴澄源环境科技有限公司" in page


def test_unknown_or_malformed_codes_are_404(client):
    assert client.get("/agencies/91350100M000100Y43").status_code == 404
    assert client.get("/agencies/not-a-code").status_code == 404


def test_profile_lists_qualifications_with_validity_and_no_scan_link(client, make_agency):
    agency = make_agency("active")
    db.session.add_all(
        [
            Qualification(
                agency_id=agency.id,
                name="测绘资质证书",
                level="乙级",
                number="A-1",
                issuer="江苏省自然资源厅",
                valid_from=date(2020, 1, 1),
                valid_until=date(2099, 1, 1),
            ),
            Qualification(
                agency_id=agency.id,
                name="旧证书",
                number="B-2",
                issuer="某厅",
                valid_until=date(2001, 1, 1),
            ),
        ]
    )
    db.session.commit()
    page = client.get(
        f"/agencies/{agency.credit_code}", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "测绘资质证书" in page
    assert "not valid today" in page
    assert "/files/certificates/" not in page


def test_deregistered_agencies_stay_visible_with_their_state(client, make_agency):
    agency = make_agency("deregistered")
    page = client.get(
        f"/agencies/{agency.credit_code}", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "Deregistered" in page
