"""API reads carry a strong ETag, answer If-None-Match with 304, and say who may cache them."""

import pytest

READS = ["/api/v1/agencies?q=环评", "/api/v1/agencies/{code}"]


@pytest.fixture
def urls(agencies):
    return [url.format(code=agencies["huanping"].credit_code) for url in READS]


def test_reads_carry_a_strong_etag(client, urls):
    for url in urls:
        etag = client.get(url).headers["ETag"]
        assert etag.startswith('"')
        assert client.get(url).headers["ETag"] == etag


def test_a_matching_if_none_match_is_a_304_without_a_body(client, urls):
    for url in urls:
        etag = client.get(url).headers["ETag"]
        response = client.get(url, headers={"If-None-Match": etag})
        assert response.status_code == 304
        assert response.data == b""
        assert response.headers["ETag"] == etag
        assert response.headers["Cache-Control"] == "public, max-age=60"


def test_a_changed_answer_has_a_new_etag(client, urls, make_agency):
    url = "/api/v1/agencies?q=环"
    etag = client.get(url).headers["ETag"]
    make_agency("active", name="江阴环球测绘有限公司")
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag


def test_anonymous_reads_may_be_cached_for_a_minute(client, urls):
    for url in [*urls, "/api/v1/agencies.csv"]:
        assert client.get(url, buffered=True).headers["Cache-Control"] == "public, max-age=60"


def test_a_signed_in_users_reads_are_not_stored(client, urls, login_as):
    login_as("enterprise")
    for url in [*urls, "/api/v1/agencies.csv"]:
        assert client.get(url, buffered=True).headers["Cache-Control"] == "private, no-store"


def test_errors_carry_no_cache_headers(client):
    response = client.get("/api/v1/agencies?per_page=101")
    assert "ETag" not in response.headers
    assert "max-age" not in response.headers.get("Cache-Control", "")
