"""Fixtures for evaluations and inspections: a clock the tests move, the people involved,
and helpers that act through the pages as a person would."""

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from ratings.assessments import services
from ratings.assessments.models import Inspection, SupervisorEvaluation
from registry.audit.models import AuditEvent
from registry.db import db
from registry.inbox.models import Notice
from tests.commitments.conftest import Clock
from tests.conftest import post_form

ENGLISH = {"Accept-Language": "en"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def clock(monkeypatch):
    """The registry's clock at 28 November 2026, 10:00 in Shanghai (Q4 2026)."""
    return Clock(monkeypatch)


@pytest.fixture
def agency(make_agency):
    return make_agency("active", name="江阴澄信测绘有限公司")


@pytest.fixture
def regulator(make_account):
    return make_account("regulator", name="王监管")


@pytest.fixture
def supervisor(make_account):
    return make_account("supervisor", name="陈代表")


def count(model) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def actions(prefix: str) -> list[str]:
    return list(
        db.session.execute(
            select(AuditEvent.action)
            .where(AuditEvent.action.startswith(prefix))
            .order_by(AuditEvent.seq)
        ).scalars()
    )


def last_event(action: str) -> AuditEvent:
    return (
        db.session.execute(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq.desc())
        )
        .scalars()
        .first()
    )


def notices_of(account) -> list[Notice]:
    db.session.expire_all()
    return list(
        db.session.execute(
            select(Notice).where(Notice.recipient_id == account.id).order_by(Notice.id)
        ).scalars()
    )


def evaluations() -> list[SupervisorEvaluation]:
    db.session.expire_all()
    return list(
        db.session.execute(select(SupervisorEvaluation).order_by(SupervisorEvaluation.id)).scalars()
    )


def evaluate_page(client, agency, score, remarks="", evaluation_id=""):
    """Submit the evaluation form as a supervisor would."""
    return post_form(
        client,
        f"/supervisor/agencies/{agency.id}/evaluation",
        {"score": str(score), "remarks": remarks, "evaluation_id": evaluation_id},
        headers=ENGLISH,
    )


def inspection_form(day: date, score, findings="资质证书在有效期内；收费公示齐全。", report=None):
    data = {"inspected_on": day.isoformat(), "score": str(score), "findings": findings}
    if report is not None:
        data["report"] = (io.BytesIO(report[1]), report[0])
    return data


def record_page(client, agency, data):
    return post_form(
        client,
        f"/regulator/agencies/{agency.id}/inspections/new",
        data,
        headers=ENGLISH,
        content_type="multipart/form-data",
    )


def recorded(regulator, agency, day: date, score: int, findings="检查记录", report=None):
    """An inspection recorded through the service, committed."""
    inspection = services.record_inspection(
        regulator, agency, services.InspectionDetails(day, score, findings, report)
    )
    db.session.commit()
    return inspection


def all_inspections() -> list[Inspection]:
    db.session.expire_all()
    return list(db.session.execute(select(Inspection).order_by(Inspection.id)).scalars())


def inspection(inspection_id: int) -> Inspection:
    db.session.expire_all()
    return db.session.get(Inspection, inspection_id)
