"""Languages: the switcher's choice, then the browser's Accept-Language, then zh_CN."""

from datetime import date
from functools import lru_cache

from flask import Blueprint, current_app, g, has_request_context, redirect, request, url_for
from flask_babel import format_currency, format_date, get_locale, get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup

from registry.accounts.permissions import allow, anyone
from registry.security import safe_next

bp = Blueprint("i18n", __name__)

LANGUAGE_NAMES = {"zh_CN": "简体中文", "en": "English"}
ONE_YEAR = 365 * 24 * 3600
# Flask-Babel's per-request state on `g`; its `babel_translations` slot is the one that
# force_locale() empties on entry and restores on exit, and refresh() drops.
BABEL_STATE = "_flask_babel"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # commands and jobs speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get(current_app.config["LANGUAGE_COOKIE"])
    if chosen in languages:
        return chosen
    matched = request.accept_languages.best_match(languages)
    return matched or current_app.config["BABEL_DEFAULT_LOCALE"]


def request_translations():
    """The catalogue of the request's language, found once per request.

    Flask-Babel looks it up anew for every string (its request state three times, the
    locale's name, a dictionary): a tenth of a profile page's time went there. The catalogue
    found is kept in Flask-Babel's own slot for it, so force_locale() and refresh() still
    switch the language; outside an application context nothing is kept.
    """
    state = g.get(BABEL_STATE) if g else None
    translations = getattr(state, "babel_translations", None)
    if translations is None:
        translations = get_translations()
        state = g.get(BABEL_STATE) if g else None
        if state is not None:
            state.babel_translations = translations
    return translations


@pass_eval_context
def template_gettext(eval_context, string: str, **variables) -> str:
    """Jinja's "newstyle" gettext (escaped variables, the text always %-formatted), reading
    request_translations() directly: Jinja's own wraps the call three times a string."""
    text = request_translations().ugettext(string)
    if eval_context.autoescape:
        text = Markup(text)  # noqa: S704 - the catalogue's text is ours; variables are escaped
    return text % variables


@pass_eval_context
def template_ngettext(eval_context, singular: str, plural: str, num: int, **variables) -> str:
    """Like template_gettext, for a text with a plural; %(num)d is the number."""
    variables.setdefault("num", num)
    text = request_translations().ungettext(singular, plural, num)
    if eval_context.autoescape:
        text = Markup(text)  # noqa: S704 - as in template_gettext
    return text % variables


def install_template_gettext(app) -> None:
    """Templates' _(), gettext and ngettext read request_translations()."""
    app.jinja_env.globals.update(
        _=template_gettext, gettext=template_gettext, ngettext=template_ngettext
    )


def install_cached_formats(app) -> None:
    """The dateformat filter (of a date) and currencyformat remember what they wrote.

    Babel builds each from the locale's data every time (a tenth of a millisecond each); a
    page lists the same few days and fees over and over. Each result is kept per value,
    format and locale (a forced locale has its own); a datetime is formatted afresh, since
    its text depends on the time zone too.
    """

    @lru_cache(maxsize=4096)
    def formatted_date(day: date, format: str | None, locale) -> str:
        return format_date(day, format)

    @lru_cache(maxsize=4096)
    def formatted_currency(amount, currency: str, locale) -> str:
        return format_currency(amount, currency)

    def dateformat(value=None, format=None, rebase=True):
        if type(value) is date:  # not a datetime (a subclass of date)
            return formatted_date(value, format, get_locale())
        return format_date(value, format, rebase)

    def currencyformat(number, currency, *args, **kwargs):
        if args or kwargs:
            return format_currency(number, currency, *args, **kwargs)
        return formatted_currency(number, currency, get_locale())

    app.jinja_env.filters.update(dateformat=dateformat, currencyformat=currencyformat)


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
