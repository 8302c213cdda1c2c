"""Agencies and fees the API tests read."""

from datetime import date

import pytest

from registry.agencies.models import FeeSchedule
from registry.db import db


@pytest.fixture
def agencies(make_agency):
    """Agencies in two categories and three towns, in every public and private state."""
    return {
        "huanping": make_agency(
            "active", name="江阴环评咨询有限公司", category="environmental", town="华士镇"
        ),
        "cehui": make_agency("active", name="江阴市长江测绘有限公司", town="澄江街道"),
        "abc": make_agency("active", name="ＡＢＣ测绘（江阴）有限公司", town="青阳镇"),
        "suspended": make_agency(
            "suspended", name="澄江环保科技有限公司", category="environmental"
        ),
        "pending": make_agency("pending", name="江阴环境检测有限公司", category="environmental"),
        "rejected": make_agency("rejected", name="江阴环测有限公司", category="environmental"),
        "gone": make_agency("deregistered", name="江阴环宇评价有限公司", category="environmental"),
    }


@pytest.fixture
def offer(app):
    """Publish a fee schedule: offer(agency, item, fee_min_fen=..., effective_to=...)."""

    def publish(agency, item, **fields):
        schedule = FeeSchedule(
            agency_id=agency.id,
            service_item_id=item.id,
            **{
                "fee_min_fen": 80000,
                "fee_max_fen": 120050,
                "unit": "项",
                "basis": "按面积计费",
                "promised_days": 10,
                "effective_from": date(2024, 1, 1),
                **fields,
            },
        )
        db.session.add(schedule)
        db.session.commit()
        return schedule

    return publish
