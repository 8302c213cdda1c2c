"""Simplified Chinese by default, English on request, both catalogues complete."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from registry.config import PROJECT_ROOT
from tests.conftest import post_form

CATALOGUES = PROJECT_ROOT / "registry" / "translations"


def test_default_language_is_simplified_chinese(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "中介机构" in page


@pytest.mark.parametrize("header", ["en", "en-US,en;q=0.9", "en-GB"])
def test_browser_asking_for_english_gets_english(client, header):
    page = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Intermediary Agency Registry" in page


@pytest.mark.parametrize("header", ["zh-CN", "zh", "zh-Hans", "fr-FR, de"])
def test_other_browsers_get_chinese(client, header):
    page = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page


def test_switcher_choice_wins_over_the_browser(client):
    response = post_form(client, "/language", {"language": "en", "next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    page = client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Sign in" in page
    post_form(client, "/language", {"language": "zh_CN", "next": "/"})
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_switcher_ignores_unknown_languages_and_foreign_targets(client):
    response = post_form(client, "/language", {"language": "xx", "next": "https://evil.example"})
    assert response.headers["Location"] == "/"
    assert client.get_cookie("registry_lang") is None


def message_id(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def plural_forms(message) -> tuple:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def source_messages() -> set[str]:
    method_map = [
        ("registry/**.py", "python"),
        ("ratings/**.py", "python"),
        ("blacklist/**.py", "python"),
        ("templates/**.html", "jinja2"),
    ]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
    found = set()
    options = {"templates/**.html": {"extensions": "jinja2.ext.do"}}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT),
        method_map=method_map,
        options_map=options,
        keywords=keywords,
        directory_filter=lambda path: not Path(path).name.startswith("."),
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.slow
@pytest.mark.parametrize("folder", ["zh_Hans_CN", "en"])
def test_catalogue_translates_every_message_in_the_source(folder):
    with Path(CATALOGUES / folder / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    translated = {message_id(m) for m in catalogue if m.id and all(plural_forms(m)) and not m.fuzzy}
    missing = sorted(source_messages() - translated)
    assert missing == [], f"run `flask translations update` and translate: {missing[:10]}"


def test_chinese_translations_keep_their_placeholders():
    with Path(CATALOGUES / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for message in catalogue:
        if message.id:
            expected = sorted(set(placeholder.findall(message_id(message))))
            for form in plural_forms(message):
                assert sorted(set(placeholder.findall(form))) == expected, message.id


def test_templates_follow_a_forced_language_and_return_to_the_request_s(app):
    """Templates keep the request's catalogue once found (registry.i18n.request_translations);
    force_locale still switches it, and leaving it switches back."""
    from flask import render_template_string
    from flask_babel import force_locale

    page = "{{ _('Sign in') }} {{ ngettext('%(num)d working day', '%(num)d working days', 3) }}"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(page) == "Sign in 3 working days"
        with force_locale("zh_CN"):
            assert render_template_string(page) == "登录 3 个工作日"
        assert render_template_string(page) == "Sign in 3 working days"


def test_template_texts_escape_their_variables_and_keep_a_literal_percent(app):
    from flask import render_template_string

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string("{{ _('Receipt %(code)s', code='<b>') }}") == (
            "Receipt &lt;b&gt;"
        )
        assert render_template_string("{{ _('100%% sure') }}") == "100% sure"


def test_formatted_dates_and_fees_follow_the_language(app):
    """dateformat and currencyformat remember their results per language."""
    from datetime import date

    from flask import render_template_string
    from flask_babel import force_locale

    page = "{{ day | dateformat('long') }} {{ 1200.5 | currencyformat('CNY') }}"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        english = render_template_string(page, day=date(2026, 3, 1))
        with force_locale("zh_CN"):
            chinese = render_template_string(page, day=date(2026, 3, 1))
        assert english == render_template_string(page, day=date(2026, 3, 1))
    assert english.startswith("March 1, 2026")
    assert chinese.startswith("2026年3月1日")
