"""Kinds of notice for the tests, worded with messages the catalogues already translate."""

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from registry.db import db
from registry.inbox.kinds import register_kind
from registry.inbox.models import Notice

ENGLISH = {"Accept-Language": "en"}
CHINESE = {"Accept-Language": "zh-CN"}

register_kind(
    "test.agent_added",
    _l("Agent %(name)s added."),
    _l("%(name)s will be listed again in the public directory for %(town)s."),
)
register_kind(
    "test.fee_date", _l("A change cannot take effect before the fee it replaces (%(day)s).")
)


def notices_of(account) -> list[Notice]:
    db.session.expire_all()
    return list(
        db.session.execute(
            select(Notice).where(Notice.recipient_id == account.id).order_by(Notice.id)
        ).scalars()
    )


def count_notices() -> int:
    return db.session.execute(select(func.count()).select_from(Notice)).scalar_one()


@pytest.fixture
def send(app):
    """Send a test notice and commit: send(account, name="王芳", link=..., dedupe_key=...)."""
    from registry.inbox.services import notify

    def sending(recipients, name: str = "王芳", town: str = "华士镇", **notice):
        created = notify(
            recipients, "test.agent_added", params={"name": name, "town": town}, **notice
        )
        db.session.commit()
        return created

    return sending
