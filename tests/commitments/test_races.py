"""Two people publishing, signing or revoking at once: one succeeds and the other is told who
did and when; two different drafts take the next two numbers. On PostgreSQL the acts
overlap; on SQLite they run in turn."""

import pytest
from sqlalchemy import select

from registry.commitments import services
from registry.commitments.models import CommitmentSignature, CommitmentTemplate
from registry.commitments.receipts import letter_text, text_sha256
from registry.commitments.services import CommitmentError, SigningDetails, TemplateDetails
from registry.db import db
from tests.commitments.conftest import BODY_EN, BODY_ZH
from tests.conftest import PASSWORD
from tests.factories import actions_on, count, notices_to, sign_letter
from tests.races import attached, names, successes, the_refusal

WHEN = "2026-11-28 10:00"  # the commitments' clock, in the registry's time zone


@pytest.fixture
def regulators(make_account, clock):
    return make_account("regulator", name="周监管"), make_account("regulator", name="吴审核")


def draft(regulator) -> CommitmentTemplate:
    template = services.draft_template(
        regulator,
        TemplateDetails(
            title_zh="中介机构服务承诺书",
            title_en="Commitment of an intermediary agency",
            body_zh=BODY_ZH,
            body_en=BODY_EN,
            validity_months=12,
            requires_resigning=False,
            grace_days=30,
        ),
    )
    db.session.commit()
    return template


def publishing(regulator, template):
    def act():
        actor, row = attached(regulator), attached(template)
        yield
        services.publish_template(actor, row)

    return act


def signing(account, agency, template):
    """An act: `account` signs the Chinese text of `template` for `agency`."""
    text = letter_text(template.title("zh_CN"), template.body("zh_CN"))

    def act():
        actor, row = attached(account), attached(agency)
        yield
        services.sign_commitment(
            actor,
            row,
            SigningDetails(
                template_id=template.id,
                language="zh_CN",
                text_sha256=text_sha256(text),
                signer_name=account.display_name,
                signer_title="总经理",
                consent=True,
                password=PASSWORD,
            ),
        )

    return act


def test_one_draft_published_twice_at_once_is_published_once(
    regulators, make_account, make_agency, race
):
    staff = make_account("agency", name="孙机构")
    make_agency("active", users=[staff])
    template = draft(regulators[0])

    refusal = the_refusal(
        race(publishing(regulators[0], template), publishing(regulators[1], template)),
        CommitmentError,
    )

    row = attached(template)
    assert row.version == 1
    winner = regulators[0] if row.published_by_id == regulators[0].id else regulators[1]
    names(refusal, winner, WHEN)
    assert actions_on(row).count("commitment.template_published") == 1
    assert len(notices_to(staff, "commitment.published")) == 1


def test_two_drafts_published_at_once_take_the_next_two_versions(regulators, publish, race):
    publish()  # version 1
    first, second = draft(regulators[0]), draft(regulators[1])

    outcomes = race(publishing(regulators[0], first), publishing(regulators[1], second))

    assert len(successes(outcomes)) == 2, outcomes
    assert {attached(first).version, attached(second).version} == {2, 3}


def test_two_first_drafts_published_at_once_never_share_a_number(regulators, race):
    first, second = draft(regulators[0]), draft(regulators[1])

    outcomes = race(publishing(regulators[0], first), publishing(regulators[1], second))

    published = [row for row in (attached(first), attached(second)) if row.is_published]
    if len(published) == 2:  # one after the other (SQLite): the second became version 2
        assert sorted(row.version for row in published) == [1, 2]
        return
    (winner,) = published  # at once (PostgreSQL): there was no version to wait for
    assert winner.version == 1
    refusal = the_refusal(outcomes, CommitmentError)
    names(refusal, regulators[0] if winner.published_by_id == regulators[0].id else regulators[1])


def test_a_letter_signed_twice_at_once_is_signed_once(publish, make_account, make_agency, race):
    template = publish()
    colleagues = make_account("agency", name="孙机构"), make_account("agency", name="李机构")
    agency = make_agency("active", users=colleagues)
    outcomes = race(*(signing(colleague, agency, template) for colleague in colleagues))

    refusal = the_refusal(outcomes, CommitmentError)
    (signature,) = db.session.execute(select(CommitmentSignature)).scalars().all()
    names(
        refusal, colleagues[0] if signature.signer_id == colleagues[0].id else colleagues[1], WHEN
    )
    assert count(CommitmentSignature, CommitmentSignature.agency_id == agency.id) == 1


def test_a_signature_revoked_twice_at_once_is_revoked_once(
    regulators, publish, make_account, make_agency, race
):
    template = publish()
    staff = make_account("agency", name="孙机构")
    agency = make_agency("active", users=[staff])
    sign_letter(staff, attached(agency), template)
    signature = db.session.execute(select(CommitmentSignature)).scalar_one()

    def revoke(regulator, reason):
        def act():
            actor, row = attached(regulator), attached(signature)
            yield
            services.revoke_signature(actor, row, reason)

        return act

    outcomes = race(revoke(regulators[0], "签署人无授权。"), revoke(regulators[1], "重复签署。"))

    refusal = the_refusal(outcomes, CommitmentError)
    row = attached(signature)
    names(refusal, regulators[0] if row.revoked_by_id == regulators[0].id else regulators[1], WHEN)
    assert actions_on(row).count("commitment.revoked") == 1
    assert len(notices_to(staff, "commitment.revoked")) == 1


def test_two_agencies_signing_the_first_receipts_at_once_both_sign(
    publish, make_account, make_agency, race
):
    template = publish()
    signers = []
    for name in ("孙机构", "李机构"):
        staff = make_account("agency", name=name)
        signers.append((staff, make_agency("active", users=[staff])))
    outcomes = race(*(signing(staff, agency, template) for staff, agency in signers))

    assert len(successes(outcomes)) == 2, outcomes  # the signing key is registered once
    assert count(CommitmentSignature) == 2
