"""Pages anyone can open, the signed-in landing page, and the health check."""

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from flask_login import current_user

from blacklist.queries import outcome as listing_outcome
from ratings.engagements.queries import review_page
from ratings.results.breakdown import rating_panel
from registry.accounts.permissions import allow, anyone, is_regulator, signed_in
from registry.agencies import queries
from registry.agencies.search import AgencySearch
from registry.agencies.search_pages import find_agencies
from registry.dates import local_today
from registry.public import health
from registry.public.forms import SearchForm
from registry.public.profile import profile_evidence

bp = Blueprint("public", __name__)


@bp.route("/")
@allow(anyone)
def home():
    """The public search; without a search, what the registry is."""
    form = SearchForm(request.args, services=queries.service_choices())
    if not form.validate():
        return render_template("public/home.html", form=form, page=None), 400
    page = None
    if form.is_search():
        district, _, town = (form.town.data or "").partition("|")
        search = AgencySearch(
            q=form.q.data or "",
            category=form.category.data or None,
            district=district or None,
            town=town or None,
            service_item=form.service.data or None,
            sort=form.sort.data or "relevance",
            include_blacklisted=form.include_blacklisted.data,
            min_stars=int(form.min_stars.data) if form.min_stars.data else None,
        )
        page = find_agencies(
            search,
            local_today(),
            page=max(request.args.get("page", 1, type=int), 1),
            per_page=current_app.config["PAGE_SIZE"],
            limit=current_app.config["SEARCH_COUNT_LIMIT"],
        )
    return render_template("public/home.html", form=form, page=page)


@bp.route("/workspace")
@allow(signed_in)
def workspace():
    """Each role's landing page: the account, and what this role can do here."""
    pending = queries.count_waiting_decisions() if is_regulator(current_user) else 0
    return render_template(
        "public/workspace.html", account=current_user, pending_registrations=pending
    )


@bp.route("/agencies/<credit_code>")
@allow(anyone)
def agency_profile(credit_code: str):
    """An agency's public profile: identity, qualifications, services and fees with history."""
    agency = queries.public_agency(credit_code)
    if agency is None:
        abort(404)
    today = local_today()
    fees = queries.published_fees(agency.id, today)
    evidence = profile_evidence(agency.id, today)
    return render_template(
        "public/agency_profile.html",
        agency=agency,
        today=today,
        fees=fees.in_force,
        history=fees.history,
        commitment=evidence.commitment,
        assessments=evidence.assessments,
        reviews=review_page(agency.id, evidence.reviews.listed, current_app.config["PAGE_SIZE"]),
        review_summary=evidence.reviews,
        listings=evidence.listings,
        listing_outcome=listing_outcome,
        rating=rating_panel(agency),
    )


@bp.route("/healthz")
@allow(anyone)
def healthz():
    """Whether each part the registry needs works, for load balancers and monitors."""
    report = health.check(current_app._get_current_object())
    response = jsonify(report.body)
    response.headers["Cache-Control"] = "no-store"
    return response, report.http_status
