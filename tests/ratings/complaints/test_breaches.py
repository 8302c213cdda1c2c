"""A substantiated complaint of overcharging, delay or a falsified report breaks the signed
commitment: it is recorded against the signature valid when the complaint was filed (or
none), and the agency is told. The rating engine and the blacklist rules read these facts."""

from datetime import date

import pytest

from ratings.complaints import queries, services
from ratings.complaints.models import CommitmentBreach
from registry.commitments import services as commitment_services
from registry.commitments.receipts import letter_text, text_sha256
from registry.db import db
from tests.conftest import PASSWORD
from tests.ratings.complaints.conftest import count, investigating, notices_to


def sign_commitment(parties):
    regulator = parties.regulator
    template = commitment_services.draft_template(
        regulator,
        commitment_services.TemplateDetails(
            title_zh="中介机构服务承诺书",
            title_en="Commitment letter",
            body_zh="一、严格执行公示的收费标准。",
            body_en="1. We charge no more than the published fees.",
            validity_months=12,
            requires_resigning=False,
            grace_days=30,
        ),
    )
    commitment_services.publish_template(regulator, template)
    signature = commitment_services.sign_commitment(
        parties.staff,
        parties.agency,
        commitment_services.SigningDetails(
            template_id=template.id,
            language="zh_CN",
            text_sha256=text_sha256(letter_text(template.title_zh, template.body_zh)),
            signer_name="孙机构",
            signer_title="总经理",
            consent=True,
            password=PASSWORD,
        ),
    )
    db.session.commit()
    return signature


def substantiate(parties, complaint, severity="major"):
    breach = services.conclude_complaint(
        parties.regulator, complaint, "substantiated", severity, "经核查，收费超过公示标准。"
    )
    db.session.commit()
    return breach


def test_a_substantiated_overcharge_is_a_breach_of_the_valid_signature(parties, clock):
    signature = sign_commitment(parties)
    complaint = investigating(parties, category="overcharging")
    breach = substantiate(parties, complaint)
    assert breach.signature_id == signature.id
    assert (breach.category, breach.severity, breach.agency_id) == (
        "overcharging",
        "major",
        parties.agency.id,
    )
    [notice] = notices_to(parties.staff, "complaints.breach")
    assert notice.params["reference"] == complaint.reference


def test_without_a_valid_signature_the_breach_is_recorded_against_none(parties):
    breach = substantiate(parties, investigating(parties, category="delay"), "minor")
    assert breach is not None
    assert breach.signature_id is None
    assert notices_to(parties.staff, "complaints.breach")


def test_a_signature_made_after_the_filing_is_not_the_one_breached(parties, clock):
    clock.set(date(2026, 9, 29))
    complaint = investigating(parties, category="falsified_report")
    clock.set(date(2026, 10, 9))
    sign_commitment(parties)
    assert substantiate(parties, complaint, "serious").signature_id is None


@pytest.mark.parametrize("category", ["poor_quality", "misconduct", "forced_designation", "other"])
def test_other_categories_are_not_breaches_of_the_letter(parties, category):
    assert substantiate(parties, investigating(parties, category=category)) is None
    assert count(CommitmentBreach) == 0
    assert notices_to(parties.staff, "complaints.breach") == []


def test_an_unsubstantiated_overcharge_is_no_breach(parties):
    complaint = investigating(parties, category="overcharging")
    services.conclude_complaint(parties.regulator, complaint, "unsubstantiated", None, "不属实")
    db.session.commit()
    assert count(CommitmentBreach) == 0


def test_substantiated_complaints_per_agency_within_a_window(parties, clock, make_agency):
    clock.set(date(2026, 3, 2))
    old = investigating(parties, category="delay")
    substantiate(parties, old, "serious")
    clock.set(date(2026, 9, 29))
    recent = investigating(parties, category="poor_quality")
    substantiate(parties, recent, "minor")
    unsubstantiated = investigating(parties)
    services.conclude_complaint(parties.regulator, unsubstantiated, "unsubstantiated", None, "否")
    db.session.commit()

    found = queries.substantiated_complaints(since=date(2026, 6, 1))
    assert list(found) == [parties.agency.id]
    [entry] = found[parties.agency.id]
    assert (entry.reference, entry.severity, entry.category, entry.breach) == (
        recent.reference,
        "minor",
        "poor_quality",
        False,
    )
    both = queries.substantiated_complaints(since=date(2025, 10, 1), until=date(2026, 9, 29))
    assert [(e.severity, e.breach) for e in both[parties.agency.id]] == [
        ("serious", True),
        ("minor", False),
    ]
    other = make_agency("active")
    assert queries.substantiated_complaints(date(2025, 1, 1), agency_ids=[other.id]) == {}
