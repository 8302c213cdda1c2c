"""Languages: the switcher's choice, then the browser's Accept-Language, then zh_CN."""

from flask import Blueprint, current_app, has_request_context, redirect, request, url_for
from flask_babel import get_locale

from registry.accounts.permissions import allow, anyone
from registry.security import safe_next

bp = Blueprint("i18n", __name__)

LANGUAGE_NAMES = {"zh_CN": "简体中文", "en": "English"}
ONE_YEAR = 365 * 24 * 3600


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # commands and jobs speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get(current_app.config["LANGUAGE_COOKIE"])
    if chosen in languages:
        return chosen
    matched = request.accept_languages.best_match(languages)
    return matched or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    """The language in use, as configured: zh_CN or en.

    Babel spells zh_CN with its script (zh_Hans_CN, the catalogue's folder name); the
    configured codes, the cookie and the lang attribute keep the familiar zh_CN.
    """
    locale = get_locale()
    return f"{locale.language}_{locale.territory}" if locale.territory else locale.language


def html_lang() -> str:
    """The page's lang attribute: zh-CN or en."""
    return current_language().replace("_", "-")


@bp.route("/language", methods=["POST"])
@allow(anyone)
def switch_language():
    """Remember the chosen language in a cookie and go back where the user was."""
    language = request.form.get("language", "")
    target = safe_next(request.form.get("next")) or url_for("public.home")
    response = redirect(target)
    if language in current_app.config["LANGUAGES"]:
        response.set_cookie(
            current_app.config["LANGUAGE_COOKIE"],
            language,
            max_age=ONE_YEAR,
            samesite="Lax",
            httponly=True,
        )
    return response
