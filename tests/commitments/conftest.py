"""Fixtures for commitment letters: a clock the tests move, versions, a signing agency user."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from registry import dates
from registry.commitments import services
from registry.commitments.services import TemplateDetails
from registry.db import db
from tests.conftest import PASSWORD, post_form

HIDDEN = re.compile(r'<input[^>]*name="(template_id|language|text_sha256)"[^>]*value="([^"]*)"')
BODY_ZH = "一、严格执行公示的收费标准，不超标准收费。\n二、在承诺时限内完成服务。\n三、不弄虚作假。"
BODY_EN = (
    "1. We charge no more than the published fees.\n"
    "2. We finish within the promised time.\n"
    "3. We never falsify a report."
)


class Clock:
    """registry.dates.now, moved by the test: `clock.move(days=400)`."""

    def __init__(self, monkeypatch):
        self.moment = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
        monkeypatch.setattr(dates, "now", lambda: self.moment)

    def move(self, **delta) -> None:
        self.moment += timedelta(**delta)

    def today(self):
        return self.moment.astimezone(dates.ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def publish(app, make_account, clock):
    """Draft and publish a version as a regulator: publish(requires_resigning=True)."""
    regulator = make_account("regulator")

    def publish_version(**changes):
        details = TemplateDetails(
            title_zh=changes.pop("title_zh", "中介机构服务承诺书"),
            title_en=changes.pop("title_en", "Commitment of an intermediary agency"),
            body_zh=changes.pop("body_zh", BODY_ZH),
            body_en=changes.pop("body_en", BODY_EN),
            validity_months=changes.pop("validity_months", 12),
            requires_resigning=changes.pop("requires_resigning", False),
            grace_days=changes.pop("grace_days", 30),
        )
        assert not changes, changes
        template = services.draft_template(regulator, details)
        services.publish_template(regulator, template)
        db.session.commit()
        return template

    return publish_version


@pytest.fixture
def signer(login_as, make_agency):
    """An agency user signed in, acting for an active agency."""
    account = login_as("agency")
    agency = make_agency("active", users=[account])
    return account, agency


def shown_letter(client) -> dict:
    """The hidden fields the signing page carries: the version, language and text hash shown."""
    page = client.get("/my/agency/commitment").get_data(as_text=True)
    return dict(HIDDEN.findall(page))


def sign(client, **changes):
    """Sign through the page as a person would, with the fields it showed."""
    data = {
        **shown_letter(client),
        "signer_name": "王承诺",
        "signer_title": "总经理",
        "consent": "y",
        "password": PASSWORD,
        **changes,
    }
    # Messages in English, whatever language the letter was read in.
    return post_form(client, "/my/agency/commitment", data, headers={"Accept-Language": "en"})
