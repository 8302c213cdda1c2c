"""An agency on the blacklist cannot sign a commitment letter, from the listing's first day to
its last; the day after, it can."""

from datetime import date

from sqlalchemy import func, select

from registry.agencies.models import Agency
from registry.commitments.models import CommitmentSignature
from registry.db import db
from tests.commitments.conftest import sign


def _list(agency, first: date, last: date) -> None:
    row = db.session.get(Agency, agency.id)
    row.listed_from, row.listed_until = first, last
    db.session.commit()


def _signatures() -> int:
    return db.session.execute(select(func.count()).select_from(CommitmentSignature)).scalar_one()


def test_a_listed_agency_cannot_sign(client, publish, signer, clock):
    publish()
    _account, agency = signer
    _list(agency, date(2026, 6, 1), clock.today())
    response = sign(client)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Your agency is on the blacklist until Nov 28, 2026" in page
    assert _signatures() == 0


def test_the_agency_signs_the_day_after_its_listing_ends(client, publish, signer, clock):
    publish()
    _account, agency = signer
    _list(agency, date(2025, 11, 28), date(2026, 11, 27))
    response = sign(client)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert _signatures() == 1
