"""Who opens which engagement page: the two parties, regulators; nobody else."""

import pytest

from ratings.engagements import reviews, services
from ratings.engagements.reviews import ReviewDetails
from registry.accounts.roles import Role
from registry.db import db
from tests.ratings.engagements.conftest import accepted

ROLES = [role.value for role in Role]
REGULATORS = ["regulator", "reviewer"]


@pytest.fixture
def confirmed_with_review(world):
    engagement = accepted(world)
    services.mark_delivered(world.agency_user, engagement)
    services.confirm_delivery(world.enterprise_user, engagement)
    review = reviews.write_review(
        world.enterprise_user,
        engagement,
        ReviewDetails(quality=4, timeliness=4, fee_compliance=4, conduct=4, text="好"),
    )
    db.session.commit()
    return engagement, review


def sign_in(role, world, auth, login_as):
    if role == "enterprise":
        auth.login(world.enterprise_user.email)
    elif role == "agency":
        auth.login(world.agency_user.email)
    else:
        login_as(role)


PAGES = [
    ("/my/enterprise/engagements", ["enterprise"]),
    ("/my/enterprise/engagements/new", ["enterprise"]),
    ("/my/enterprise/engagements/new?q=测绘", ["enterprise"]),
    ("/my/enterprise/draws/new", ["enterprise"]),
    ("/my/agency/engagements", ["agency"]),
    ("/my/agency/engagements?status=open", ["agency"]),
    ("/regulator/engagements", REGULATORS),
    ("/engagements/{engagement}", ["enterprise", "agency", *REGULATORS]),
    ("/reviews/{review}/reply", ["agency"]),
    ("/reviews/{review}/hide", REGULATORS),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "allowed"), PAGES)
def test_each_role_opens_exactly_its_engagement_pages(
    client, auth, login_as, world, confirmed_with_review, role, path, allowed
):
    engagement, review = confirmed_with_review
    url = path.format(engagement=engagement.id, review=review.id)
    sign_in(role, world, auth, login_as)
    status = client.get(url).status_code
    if role in allowed:
        assert status == 200, f"{role} should open {url}"
    else:
        assert status == 403, f"{role} must not open {url}"


@pytest.mark.parametrize(
    "path", ["/my/agency/engagements", "/engagements/1", "/my/enterprise/draws/new"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
