import pytest

VALID_CODE = "91350100M000100Y43"
CHECKSUM_FAILING_CODE = "91350100M000100Y44"
PASSWORD = "river lantern 7 ochre"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def english(client):
    """The client reads the pages in English, so tests can assert on the words."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def agency_form(**overrides):
    data = {
        "display_name": "王经理",
        "email": "wang@agency.example",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "credit_code": VALID_CODE,
        "name": "江阴华澄测绘有限公司",
        "category": "surveying",
        "region": "江阴市|澄江街道",
        "address": "江阴市人民东路1号",
        "legal_representative": "李华",
        "contact_person": "王经理",
        "phone": "0510-86000001",
        "business_scope": "工程测量；不动产测绘",
        "qualifications-0-name": "测绘资质证书",
        "qualifications-0-level": "乙级",
        "qualifications-0-number": "乙测资字32000001",
        "qualifications-0-issuer": "江苏省自然资源厅",
        "qualifications-0-valid_from": "2024-01-01",
        "qualifications-0-valid_until": "2028-12-31",
    }
    data.update(overrides)
    return data
