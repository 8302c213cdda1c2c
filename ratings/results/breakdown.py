"""A stored result in plain words, one line per component, penalty and cap (the profile's
rating section). Figures come from the stored components, never recomputed, so the words
say what produced the published grade."""

from dataclasses import dataclass

from flask_babel import format_date, format_decimal, gettext, ngettext

from ratings.method import SEVERITIES, RatingStatus
from ratings.results.configured import current_method
from ratings.results.models import RatingSnapshot
from ratings.results.queries import latest_result
from registry.agencies.models import Agency


@dataclass(frozen=True)
class Line:
    kind: str  # reviews, inspection, base, complaints, overdue, overcharges, cap, override
    text: str
    points: str | None = None  # "−27" for a penalty, None otherwise


@dataclass(frozen=True)
class Panel:
    """The profile's rating section: the stored result (None: not rated yet) in words."""

    result: RatingSnapshot | None
    lines: tuple[Line, ...]


def rating_panel(agency: Agency) -> Panel:
    """The agency's latest result and its breakdown (one query)."""
    result = latest_result(agency.id)
    return Panel(result, tuple(breakdown(result)) if result is not None else ())


def points(value: float) -> str:
    """A figure of points as the page prints it: at most one decimal."""
    return format_decimal(round(float(value), 1), format="#,##0.#")


def breakdown(result: RatingSnapshot) -> list[Line]:
    """The result's components, penalties, caps and override, in words."""
    method = current_method()
    months = method["window_months"]
    components = result.components or {}
    counts = components.get("counts", {})
    lines = [_reviews(components, counts, method), _inspection(components, months)]
    if components.get("base") is not None:
        lines.append(
            Line(
                "base", gettext("Score before penalties: %(base)s", base=points(components["base"]))
            )
        )
    penalties = components.get("penalties", {})
    lines += [
        _complaints(counts, penalties, months),
        _overdue(counts, penalties),
        _overcharges(counts, penalties),
    ]
    lines += [_cap(cap, method) for cap in result.caps]
    if result.override is not None and result.status != RatingStatus.BLACKLISTED:
        lines.append(_override(result))
    return lines


def _reviews(components: dict, counts: dict, method: dict) -> Line:
    review = components.get("reviews", {})
    reviews, evaluations = counts.get("reviews", 0), counts.get("evaluations", 0)
    if review.get("value") is None:
        return Line(
            "reviews",
            gettext(
                "Reviews: too few to count (%(reviews)d reviews and %(evaluations)d supervisor "
                "evaluations in %(months)d months; %(needed)d needed).",
                reviews=reviews,
                evaluations=evaluations,
                months=method["window_months"],
                needed=method["min_reviews"],
            ),
        )
    return Line(
        "reviews",
        gettext(
            "Reviews: %(value)s of 100 from %(reviews)d reviews and %(evaluations)d supervisor "
            "evaluations in %(months)d months, recent ones weighing more, starting from a prior "
            "of %(prior)s out of 5 worth %(weight)d reviews.",
            value=points(review["value"]),
            reviews=reviews,
            evaluations=evaluations,
            months=method["window_months"],
            prior=format_decimal(review.get("prior", method["prior_mean"])),
            weight=method["prior_weight"],
        ),
    )


def _inspection(components: dict, months: int) -> Line:
    score = components.get("inspection")
    if score is None:
        return Line("inspection", gettext("Inspection: none in %(months)d months.", months=months))
    return Line(
        "inspection",
        gettext(
            "Inspection: the latest in %(months)d months scored %(score)d of 100.",
            months=months,
            score=score,
        ),
    )


def _complaints(counts: dict, penalties: dict, months: int) -> Line:
    by_severity = counts.get("complaints", {})
    total = sum(by_severity.get(severity, 0) for severity in SEVERITIES)
    penalty = penalties.get("complaints", 0)
    text = ngettext(
        "%(num)d substantiated complaint in %(months)d months",
        "%(num)d substantiated complaints in %(months)d months",
        total,
        months=months,
    )
    return Line("complaints", text, _minus(penalty))


def _overdue(counts: dict, penalties: dict) -> Line:
    text = ngettext(
        "%(overdue)d of %(num)d confirmed engagement delivered late",
        "%(overdue)d of %(num)d confirmed engagements delivered late",
        counts.get("confirmed_engagements", 0),
        overdue=counts.get("overdue_engagements", 0),
    )
    return Line("overdue", text, _minus(penalties.get("overdue", 0)))


def _overcharges(counts: dict, penalties: dict) -> Line:
    text = ngettext(
        "%(num)d engagement agreed above the published maximum or the price cap",
        "%(num)d engagements agreed above the published maximum or the price cap",
        counts.get("overcharges", 0),
    )
    return Line("overcharges", text, _minus(penalties.get("overcharges", 0)))


def _cap(cap: str, method: dict) -> Line:
    if cap == "no_valid_commitment":
        return Line(
            "cap",
            gettext(
                "At most ★%(stars)d: no valid commitment letter.",
                stars=method["uncommitted_max_stars"],
            ),
        )
    return Line("cap", gettext("On the blacklist: no stars."))


def _override(result: RatingSnapshot) -> Line:
    override = result.override
    if result.computed_stars is None:
        text = gettext(
            "Adjusted by the regulator to ★%(stars)d until %(day)s (the method gives no stars). "
            "Reason: %(reason)s",
            stars=override.stars,
            day=format_date(override.ends_on, "medium"),
            reason=override.reason,
        )
    else:
        text = gettext(
            "Adjusted by the regulator to ★%(stars)d (the method gives ★%(computed)d) until "
            "%(day)s. Reason: %(reason)s",
            stars=override.stars,
            computed=result.computed_stars,
            day=format_date(override.ends_on, "medium"),
            reason=override.reason,
        )
    return Line("override", text)


def _minus(value: float) -> str:
    return "−" + points(value)
