"""Fixtures for rating results: a clock, an agency with the parties around it, and a maker of
hand-made evidence rows (reviews, evaluations, inspections, complaints, engagements,
listings) dated on local days, each committed so the incremental hook sees it."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from ratings.assessments.models import Inspection, SupervisorEvaluation, quarter_of
from ratings.engagements.models import Engagement, Review
from ratings.results.models import RatingSnapshot
from registry.accounts.models import Account
from registry.agencies.models import Agency
from registry.db import db
from tests.factories import substantiated
from tests.ratings.engagements.conftest import (  # noqa: F401 (fixtures)
    SHANGHAI,
    Clock,
    clock,
    commit_letter,
    make_enterprise,
    publish_fee,
    world,
)

ENGLISH = {"Accept-Language": "en"}
TODAY = date(2026, 9, 28)


def local_moment(day: date, hour: int = 10) -> datetime:
    """A local time on a day, as stored (naive UTC)."""
    return datetime.combine(day, time(hour), SHANGHAI).astimezone(UTC).replace(tzinfo=None)


class Evidence:
    """Rows of evidence about agencies, written directly (no workflow), each committed."""

    def __init__(self, world, make_account):  # noqa: F811
        self.world = world
        self.make_account = make_account
        self.supervisors: list[Account] = []

    def engagement(
        self, agency, *, start: date, status="confirmed", confirmed=None, late=0, overcharge=0
    ) -> Engagement:
        engagement = Engagement(
            enterprise_id=self.world.enterprise.id,
            agency_id=agency.id,
            fee_schedule_id=self.world.schedule.id,
            service_item_id=self.world.item.id,
            agreed_fee_fen=70000 + overcharge,
            unit="项",
            start_date=start,
            promised_days=5,
            published_max_fen=80000,
            cap_fen=100000,
            overcharge_fen=overcharge,
            status=status,
            delivered_on=confirmed if status == "confirmed" else None,
            late_working_days=late if status == "confirmed" else None,
            confirmed_on=confirmed if status == "confirmed" else None,
        )
        db.session.add(engagement)
        db.session.flush()
        return engagement

    def review(
        self, agency, day: date, scores=(5, 5, 5, 5), *, hidden=False, hour=10, commit=True
    ) -> Review:
        engagement = self.engagement(agency, start=day - timedelta(days=10), confirmed=day)
        quality, timeliness, fee_compliance, conduct = scores
        review = Review(
            engagement_id=engagement.id,
            agency_id=agency.id,
            enterprise_id=self.world.enterprise.id,
            quality=quality,
            timeliness=timeliness,
            fee_compliance=fee_compliance,
            conduct=conduct,
            text="服务规范。",
            created_at=local_moment(day, hour),
            hidden_at=local_moment(day, hour) if hidden else None,
            hidden_reason="含个人信息" if hidden else None,
        )
        db.session.add(review)
        if commit:
            db.session.commit()
        return review

    def evaluation(self, agency, day: date, score: int) -> SupervisorEvaluation:
        supervisor = self.make_account("supervisor")
        year, quarter = quarter_of(day)
        evaluation = SupervisorEvaluation(
            supervisor_id=supervisor.id,
            agency_id=agency.id,
            year=year,
            quarter=quarter,
            score=score,
            evaluated_on=day,
        )
        db.session.add(evaluation)
        db.session.commit()
        return evaluation

    def inspection(self, agency, day: date, score: int, *, withdrawn=False) -> Inspection:
        inspection = Inspection(
            agency_id=agency.id,
            inspected_on=day,
            score=score,
            findings="台账齐全。",
            withdrawn_at=local_moment(day) if withdrawn else None,
            withdraw_reason="录入错误" if withdrawn else None,
        )
        db.session.add(inspection)
        db.session.commit()
        return inspection

    def complaint(self, agency, day: date, severity="major"):
        return substantiated(agency, severity=severity, on=day)

    def listing(self, agency, first: date, last: date) -> None:
        row = db.session.get(Agency, agency.id)
        row.listed_from, row.listed_until = first, last
        db.session.commit()


@pytest.fixture
def evidence(world, make_account):  # noqa: F811
    return Evidence(world, make_account)


def snapshots_of(agency) -> list[RatingSnapshot]:
    return list(
        db.session.execute(
            select(RatingSnapshot)
            .where(RatingSnapshot.agency_id == agency.id)
            .order_by(RatingSnapshot.id)
        ).scalars()
    )


def agency_row(agency) -> Agency:
    row = db.session.get(Agency, agency.id)
    db.session.refresh(row)
    return row
