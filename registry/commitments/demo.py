"""Demo commitment letters: two published versions and signatures in every state.

Version 1 was published long ago; version 2, published recently, requires re-signing with
a grace period. Most active agencies signed version 2; some still hold version 1 (inside
the grace period, a few lapsing soon), some let it lapse, two were revoked, the rest never
signed. Receipts are signed with the registry's real key, so they verify like any other.
"""

import secrets
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from registry.accounts.models import Account
from registry.accounts.roles import Role
from registry.agencies.categories import AgencyStatus
from registry.agencies.demo import office_moment, person_name, seeded
from registry.agencies.models import Agency
from registry.commitments import keys
from registry.commitments.models import CommitmentSignature, CommitmentTemplate
from registry.commitments.receipts import canonical_payload, letter_text, text_sha256
from registry.commitments.services import add_months, receipt_fields, unused_receipt_code
from registry.dates import local_today
from registry.db import db, utcnow

TITLE_ZH = "中介机构服务承诺书"
TITLE_EN = "Commitment letter of an intermediary agency"
BODY_ZH = """本机构自愿入驻江阴市中介机构服务监管平台，现郑重承诺：
一、依法依规执业，不超出资质等级和业务范围承接业务。
二、严格执行平台公示的收费项目和收费标准，不在公示标准之外另行收费，不以任何名义变相提高收费。
三、在公示的承诺时限内完成服务，因故不能按期完成的，提前告知委托企业并说明理由。
四、不弄虚作假，不出具虚假报告，对出具的成果文件的真实性、合法性负责。
五、不与行政机关及其工作人员进行利益输送，不以不正当手段承揽业务，不强制或变相强制企业接受服务。
六、自觉接受监管部门、委托企业和社会公众的监督，配合投诉调查，按时答复。
本机构如违反上述承诺，自愿接受降低星级、列入黑名单等处理，并承担相应法律责任。"""
BODY_EN = (
    "Our agency joins the Jiangyin intermediary agency registry of its own will and "
    "promises:\n"
    "1. To practise within the law and within the level and scope of its "
    "qualifications.\n"
    "2. To charge exactly the fees published on the registry, adding no other charge "
    "under any name.\n"
    "3. To finish within the published time limits, and to tell the enterprise in "
    "advance, with the reason, when it cannot.\n"
    "4. Never to falsify a report; it answers for the truth and lawfulness of every "
    "document it issues.\n"
    "5. To offer no benefit to public officials, to win no work by improper means, "
    "and never to force an enterprise to use its services.\n"
    "6. To accept supervision by the regulator, enterprises and the public, to "
    "cooperate with complaint investigations and to answer on time.\n"
    "If it breaks these promises, the agency accepts a lower star rating, listing on "
    "the blacklist and its legal liability."
)
REVISION_ZH = "\n七、按照平台要求及时更新资质、收费和时限信息，确保公示内容真实准确。"
REVISION_EN = (
    "\n7. To keep its qualifications, fees and time limits on the registry up to date, true "
    "and accurate."
)
REVOKE_REASON = "签署人未获机构授权，承诺书无效，请法定代表人授权后重新签署。"


def load(seed: int, counts: Counter) -> None:
    """Add the demo versions and signatures, unless a version exists already."""
    if db.session.execute(select(CommitmentTemplate.id).limit(1)).first() is not None:
        return
    today = local_today()
    first = _published(1, today - timedelta(days=430), BODY_ZH, BODY_EN, resign_by=None)
    second = _published(
        2,
        today - timedelta(days=20),
        BODY_ZH + REVISION_ZH,
        BODY_EN + REVISION_EN,
        resign_by=today + timedelta(days=40),
    )
    counts["commitment_versions"] += 2
    rng = seeded(f"{seed}-commitments")
    demo_agency_id = db.session.execute(
        select(Account.agency_id).where(Account.email == "agency@example.com")
    ).scalar()
    agencies = db.session.execute(
        select(Agency).where(Agency.status == AgencyStatus.ACTIVE).order_by(Agency.credit_code)
    ).scalars()
    revoked = 0
    for agency in agencies:
        if agency.id == demo_agency_id:
            # The demo agency user finds version 2 waiting, inside the grace period.
            _sign(rng, agency, first, today - timedelta(days=300), counts)
            continue
        draw = rng.random()
        if draw < 0.55:
            signature = _sign(rng, agency, second, today - timedelta(rng.randint(0, 19)), counts)
            if revoked < 2 and draw < 0.03:
                signature.revoked_at = office_moment(rng, today - timedelta(days=2))
                signature.revoke_reason = REVOKE_REASON
                revoked += 1
        elif draw < 0.75:
            _sign(rng, agency, first, today - timedelta(rng.randint(200, 350)), counts)
        elif draw < 0.85:
            _sign(rng, agency, first, today - timedelta(rng.randint(370, 425)), counts)
    db.session.flush()


def _published(version, day: date, body_zh: str, body_en: str, resign_by) -> CommitmentTemplate:
    template = CommitmentTemplate(
        version=version,
        title_zh=TITLE_ZH,
        title_en=TITLE_EN,
        body_zh=body_zh,
        body_en=body_en,
        validity_months=12,
        requires_resigning=resign_by is not None,
        grace_days=60,
        created_at=utcnow(),
        published_at=office_moment(seeded(version), day),
        published_on=day,
        resign_by=resign_by,
    )
    db.session.add(template)
    db.session.flush()
    return template


def _sign(rng, agency: Agency, template: CommitmentTemplate, day: date, counts: Counter):
    """A signature by a (disabled) staff account of the agency, made on `day`."""
    signer = Account(
        email=f"signer.{agency.credit_code.lower()}@demo.example",
        display_name=person_name(rng),
        role=Role.AGENCY.value,
        agency_id=agency.id,
        active=False,
        # Nobody signs in as these accounts: a random password, cheaply hashed.
        password_hash=generate_password_hash(secrets.token_hex(16), method="pbkdf2:sha256:1000"),
    )
    db.session.add(signer)
    db.session.flush()
    key, key_record = keys.current_signing_key()
    signature = CommitmentSignature(
        receipt_code=unused_receipt_code(),
        agency_id=agency.id,
        template_id=template.id,
        template_version=template.version,
        language="zh_CN",
        text_sha256=text_sha256(letter_text(template.title_zh, template.body_zh)),
        signer_id=signer.id,
        signer_name=signer.display_name,
        signer_title=rng.choice(["总经理", "法定代表人", "执行董事", "副总经理"]),
        signed_at=office_moment(rng, day),
        ip_address=f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        user_agent="Mozilla/5.0 (demo data)",
        valid_until=add_months(day, template.validity_months) - timedelta(days=1),
        key_id=key_record.key_id,
    )
    signature.payload = canonical_payload(receipt_fields(signature, agency))
    signature.signature = keys.sign(key, signature.payload)
    db.session.add(signature)
    counts["commitment_signatures"] += 1
    return signature
