"""Security headers, cookies over HTTPS, and proxies."""

import re

from tests.conftest import build_app, post_form


def test_every_page_has_security_headers(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers, "no HSTS over plain HTTP"


def test_every_script_carries_this_responses_nonce(client):
    first, second = client.get("/"), client.get("/")
    nonces = []
    for response in (first, second):
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])[1]
        scripts = re.findall(r"<script[^>]*>", response.get_data(as_text=True))
        assert scripts
        assert all(f'nonce="{nonce}"' in tag for tag in scripts)
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_no_page_loads_anything_from_another_site(client):
    page = client.get("/").get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_https_gets_hsts_and_secure_cookies(client, make_account):
    account = make_account("regulator")
    client.get("/", base_url="https://registry.example")
    response = post_form(
        client,
        "/login",
        {"email": account.email, "password": "correct horse battery 2026", "remember": "y"},
        base_url="https://registry.example",
    )
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies
    assert all("Secure" in cookie for cookie in cookies)


def test_forwarded_proto_is_trusted_only_behind_a_configured_proxy(database_url):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    plain = build_app(database_url).test_client().get("/", headers=forwarded)
    assert "Strict-Transport-Security" not in plain.headers
    proxied = build_app(database_url, TRUSTED_PROXIES=1).test_client().get("/", headers=forwarded)
    assert "Strict-Transport-Security" in proxied.headers


def test_user_input_is_escaped(client, login_as, make_account):
    make_account("agency", name="<script>alert('x')</script>")
    login_as("admin")
    page = client.get("/admin/accounts/").get_data(as_text=True)
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;" in page
