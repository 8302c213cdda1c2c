"""Self-registration of agencies and enterprises, and the agency's own pages."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from registry.accounts.permissions import (
    allow,
    can_see_agency_private,
    is_agency_user,
    is_anonymous,
    is_enterprise_user,
    signed_in,
)
from registry.accounts.roles import Role
from registry.accounts.services import AccountError, register_account
from registry.actions import created_once
from registry.agencies import fees, queries, services
from registry.agencies.forms import (
    AccountFields,
    AddQualificationForm,
    AgencyProfileForm,
    AgencyRegistrationForm,
    EnterpriseRegistrationForm,
    FeeForm,
    LinkRequestForm,
    OptionalReasonForm,
    WithdrawFeeForm,
)
from registry.agencies.models import FeeSchedule, LinkRequest, Qualification, ServiceItem
from registry.dates import local_today
from registry.db import db
from registry.security import safe_next
from registry.uploads.services import UploadError, attachment_response, store_upload

register = Blueprint("register", __name__, url_prefix="/register")
my_agency = Blueprint("my_agency", __name__, url_prefix="/my/agency")
my_enterprise = Blueprint("my_enterprise", __name__, url_prefix="/my/enterprise")
files = Blueprint("files", __name__, url_prefix="/files")


# --- registration ------------------------------------------------------------------------


@register.route("/")
@allow(is_anonymous)
def choose():
    return render_template("agencies/register_choose.html")


@register.route("/agency", methods=["GET", "POST"])
@allow(is_anonymous)
def agency():
    form = AgencyRegistrationForm()
    return _register(
        form,
        lambda: services.register_agency(
            email=form.email.data,
            display_name=form.display_name.data,
            password=form.password.data,
            credit_code=form.credit_code.data,
            details=form.details(),
            qualifications=_qualifications(form),
            checksum_claimed_genuine=form.code_is_genuine.data,
        ),
        joining=_(
            "This agency is already registered. Your account will act for it once one "
            "of its users or a regulator approves your request."
        ),
        created=_(
            "Registration received. A regulator will verify it; until then the "
            "agency is not shown to the public."
        ),
        template="agencies/register_agency.html",
        landing="my_agency.overview",
    )


@register.route("/enterprise", methods=["GET", "POST"])
@allow(is_anonymous)
def enterprise():
    form = EnterpriseRegistrationForm()
    return _register(
        form,
        lambda: services.register_enterprise(
            email=form.email.data,
            display_name=form.display_name.data,
            password=form.password.data,
            credit_code=form.credit_code.data,
            name=form.enterprise_name.data,
        ),
        joining=_(
            "This enterprise is already registered. Your account will act for it once "
            "one of its users or a regulator approves your request."
        ),
        created=_("Your enterprise is registered."),
        template="agencies/register_enterprise.html",
        landing="my_enterprise.overview",
    )


@register.route("/public", methods=["GET", "POST"])
@allow(is_anonymous)
def public():
    """A member of the public: an account to file and follow complaints."""
    form = AccountFields()
    return _register(
        form,
        lambda: services.Registration(
            register_account(
                email=form.email.data,
                display_name=form.display_name.data,
                role=Role.PUBLIC,
                password=form.password.data,
            )
        ),
        joining="",
        created=_("Your account is ready. You can now file and follow complaints."),
        template="agencies/register_public.html",
        landing="public.workspace",
    )


def _register(form, registration, *, template: str, joining: str, created: str, landing: str):
    """Run a self-registration once per form; sign the new account in, or show the form with
    the reason."""

    def sign_in(outcome: services.Registration) -> None:
        login_user(outcome.account)
        if outcome.link_request:
            flash(joining, "info")
        else:
            flash(created, "success")

    registered = created_once(
        form,
        registration,
        refusal=(AccountError, services.RegistryError, UploadError),
        done=None,
        then=url_for(landing),
        created=lambda outcome: outcome.account,
        after=sign_in,
    )
    return registered or render_template(template, form=form)


def _qualifications(form) -> list[services.QualificationDetails]:
    """The filled-in qualification rows, with their scans stored (none for a colleague joining
    a registered agency: their details are not used)."""
    if services.find_agency(form.credit_code.data) is not None:
        return []
    found = []
    for entry in form.qualifications.entries:
        if entry.form.is_filled():
            upload = entry.form.certificate.data
            scan = store_upload(upload) if upload and upload.filename else None
            found.append(entry.form.details(scan))
    return found


# --- the agency's own pages ----------------------------------------------------------------


def _own_agency():
    agency = current_user.agency
    if agency is None:
        abort(404)
    return agency


@my_agency.route("/")
@allow(is_agency_user)
def overview():
    agency = current_user.agency
    if agency is None:
        return _unlinked_page("agencies/my_unlinked.html")
    return render_template(
        "agencies/my_overview.html",
        agency=agency,
        offers=queries.open_offers(agency.id),
        link_requests=services.pending_link_requests(agency_id=agency.id),
        needs_code_exception=services.needs_code_exception(agency),
        decide_form=OptionalReasonForm(),
    )


def _unlinked_page(template: str, **context):
    """An account not yet acting for an organisation: its requests, and a form to ask."""
    requests = (
        db.session.execute(
            db.select(LinkRequest)
            .where(LinkRequest.account_id == current_user.id)
            .order_by(LinkRequest.created_at.desc())
        )
        .scalars()
        .all()
    )
    return render_template(
        template,
        link_form=LinkRequestForm(),
        **context,
        waiting=[link for link in requests if link.status == "pending"],
        rejected=[link for link in requests if link.status == "rejected"],
    )


@my_agency.route("/link", methods=["POST"])
@allow(is_agency_user)
def ask_agency_link():
    return _ask_link("my_agency.overview")


@my_enterprise.route("/link", methods=["POST"])
@allow(is_enterprise_user)
def ask_enterprise_link():
    return _ask_link("my_enterprise.overview")


def _ask_link(back: str):
    form = LinkRequestForm()
    sent = created_once(
        form,
        lambda: services.request_link(current_user, form.credit_code.data),
        refusal=services.RegistryError,
        done=_("Request sent. A colleague or a regulator will decide on it."),
        then=url_for(back),
    )
    if sent:
        return sent
    if form.submission_token.errors:
        flash(" ".join(form.submission_token.errors), "danger")
    elif form.errors:
        flash(_("Enter the organisation's credit code."), "danger")
    return redirect(url_for(back))


@my_agency.route("/profile", methods=["GET", "POST"])
@allow(is_agency_user)
def profile():
    agency = _own_agency()
    form = AgencyProfileForm()
    if request.method == "GET":
        form.fill_from(agency)
    if form.validate_on_submit():
        try:
            resubmitted = services.save_agency_profile(current_user, agency, form.details())
        except services.RegistryError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(
                _("Registration sent for verification again.")
                if resubmitted
                else _("Profile saved."),
                "success",
            )
            return redirect(url_for("my_agency.overview"))
    return render_template("agencies/my_profile.html", agency=agency, form=form)


@my_agency.route("/qualifications", methods=["GET", "POST"])
@allow(is_agency_user)
def qualifications():
    agency = _own_agency()
    form = AddQualificationForm()

    def add():
        upload = form.certificate.data
        scan = None
        if upload and upload.filename:
            scan = store_upload(upload, uploaded_by=current_user)
        return services.add_qualification(current_user, agency, form.details(scan))

    added = created_once(
        form,
        add,
        refusal=(services.RegistryError, UploadError),
        done=_("Qualification added."),
        then=url_for("my_agency.qualifications"),
    )
    return added or render_template("agencies/my_qualifications.html", agency=agency, form=form)


@my_agency.route("/qualifications/<int:qualification_id>/remove", methods=["GET", "POST"])
@allow(is_agency_user)
def remove_qualification(qualification_id: int):
    """Confirm, then remove, a qualification (the audit log keeps what it was)."""
    agency = _own_agency()
    qualification = db.get_or_404(Qualification, qualification_id)
    if qualification.agency_id != agency.id:
        abort(404)
    form = OptionalReasonForm()
    if not form.validate_on_submit():
        return render_template(
            "agencies/confirm_remove_qualification.html",
            agency=agency,
            qualification=qualification,
            form=form,
        )
    try:
        services.remove_qualification(current_user, qualification)
    except services.RegistryError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("Qualification removed."), "success")
    return redirect(url_for("my_agency.qualifications"))


@my_agency.route("/fees", methods=["GET", "POST"])
@allow(is_agency_user)
def fee_list():
    agency = _own_agency()
    form = FeeForm()
    items = queries.offerable_items(agency.category)
    form.service_item.choices = [(item.id, f"{item.code} {item.name}") for item in items]
    if request.method == "GET":
        form.effective_from.data = local_today()
        current = fees.open_schedule(agency.id, request.args.get("item", type=int) or 0)
        if current is not None:
            form.fill_from(current)
    published = created_once(
        form,
        lambda: fees.publish_fee(
            current_user,
            agency,
            db.get_or_404(ServiceItem, form.service_item.data),
            fees.FeeOffer(
                fee_min=form.fee_min.data,
                fee_max=form.fee_max.data,
                basis=form.basis.data,
                promised_days=form.promised_days.data,
                effective_from=form.effective_from.data,
            ),
        ),
        refusal=services.RegistryError,
        done=lambda schedule: _("Fee for %(item)s published.", item=schedule.service_item.name),
        then=url_for("my_agency.fee_list"),
    )
    if published:
        return published
    return render_template(
        "agencies/my_fees.html",
        agency=agency,
        form=form,
        items=items,
        offers=queries.open_offers(agency.id),
        history=queries.fee_history_by_item(agency.id),
        withdraw_form=WithdrawFeeForm(),
        today=local_today(),
    )


@my_agency.route("/fees/<int:schedule_id>/withdraw", methods=["POST"])
@allow(is_agency_user)
def withdraw_fee(schedule_id: int):
    agency = _own_agency()
    schedule = db.get_or_404(FeeSchedule, schedule_id)
    if schedule.agency_id != agency.id:
        abort(404)
    form = WithdrawFeeForm()
    if not form.validate_on_submit():
        flash(_("Choose the date from which the service is no longer offered."), "danger")
        return redirect(url_for("my_agency.fee_list"))
    try:
        fees.withdraw_fee(current_user, schedule, form.effective_to.data)
    except services.RegistryError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(
            _(
                "The offer ends on %(day)s; its history stays public.",
                day=form.effective_to.data.isoformat(),
            ),
            "success",
        )
    return redirect(url_for("my_agency.fee_list"))


# --- link requests (agency and enterprise users decide for their own organisation) ------


@my_agency.route("/links/<int:request_id>", methods=["POST"])
@allow(is_agency_user)
def decide_agency_link(request_id: int):
    return decide_link_request(request_id, "my_agency.overview")


@my_enterprise.route("/links/<int:request_id>", methods=["POST"])
@allow(is_enterprise_user)
def decide_enterprise_link(request_id: int):
    return decide_link_request(request_id, "my_enterprise.overview")


def decide_link_request(request_id: int, back: str):
    """Approve or reject a link request from a form; agency, enterprise and regulator pages."""
    link = db.get_or_404(LinkRequest, request_id)
    form = OptionalReasonForm()
    if not services.can_decide_link(current_user, link) or not form.validate_on_submit():
        abort(404)
    approve = request.form.get("decision") == "approve"
    try:
        services.decide_link(current_user, link, approve=approve, reason=form.reason.data)
    except services.RegistryError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(
            _(
                "%(email)s now acts for %(name)s.",
                email=link.account.email,
                name=(link.agency or link.enterprise).name,
            )
            if approve
            else _("Request from %(email)s rejected.", email=link.account.email),
            "success",
        )
    return redirect(safe_next(request.form.get("next")) or url_for(back))


@my_enterprise.route("/", endpoint="overview")
@allow(is_enterprise_user)
def enterprise_overview():
    enterprise = current_user.enterprise
    if enterprise is None:
        return _unlinked_page("agencies/my_enterprise.html", enterprise=None)
    requests = services.pending_link_requests(enterprise_id=enterprise.id)
    return render_template(
        "agencies/my_enterprise.html",
        enterprise=enterprise,
        link_requests=requests,
        decide_form=OptionalReasonForm(),
    )


# --- files -------------------------------------------------------------------------------


@files.route("/certificates/<int:qualification_id>")
@allow(signed_in)
def certificate(qualification_id: int):
    """A qualification's scan, as an attachment, to its agency's staff and regulators only."""
    qualification = db.get_or_404(Qualification, qualification_id)
    if qualification.certificate is None or not can_see_agency_private(
        current_user, qualification.agency
    ):
        abort(404)
    return attachment_response(qualification.certificate)
