"""The public search form: read from the URL, so a search can be shared."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from registry.agencies.categories import AgencyCategory
from registry.agencies.search import MAX_QUERY, SORTS

SORT_LABELS = {
    "relevance": _l("Best match"),
    "name": _l("Name (pinyin)"),
    "stars": _l("Stars, most first"),
}
MIN_STARS = ("", "1", "2", "3", "4", "5")


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(
        _l("Name, pinyin initials or credit code"), validators=[Optional(), Length(max=MAX_QUERY)]
    )
    # default="": an absent filter is the "all" choice, not None, which WTForms would coerce
    # to "None" and reject, loading its message catalogue on every search just to drop it.
    category = SelectField(_l("Category"), default="", validators=[Optional()])
    town = SelectField(_l("Town"), default="", validators=[Optional()])
    service = SelectField(_l("Service"), default="", validators=[Optional()])
    sort = SelectField(_l("Sort by"), default="relevance", validators=[Optional()])
    min_stars = SelectField(_l("Stars"), default="", validators=[Optional()])
    include_blacklisted = BooleanField(_l("Include agencies on the blacklist"))

    def __init__(self, formdata, services: list[tuple[str, str]]):
        super().__init__(formdata)
        self.category.choices = [
            ("", _l("All categories")),
            *[(c.value, c.label) for c in AgencyCategory],
        ]
        self.town.choices = [
            ("", _l("All towns")),
            *[
                (f"{district}|{town}", town)
                for district, towns in current_app.config["REGION_TOWNS"].items()
                for town in towns
            ],
        ]
        self.service.choices = [("", _l("All services")), *services]
        self.sort.choices = [(sort, SORT_LABELS[sort]) for sort in SORTS]
        self.min_stars.choices = [
            ("", _l("Any rating")),
            *[(n, _l("At least ★%(stars)s", stars=n)) for n in MIN_STARS[1:]],
        ]

    def validate_q(self, field):
        if field.data and any(ord(char) < 32 for char in field.data):
            raise ValidationError(_l("The search text contains control characters."))

    def is_search(self) -> bool:
        chosen = (self.category.data, self.town.data, self.service.data, self.min_stars.data)
        return any((self.q.data, *chosen))
