"""Commitment pages: the agency signs, regulators keep versions and watch signatures, anyone
verifies a receipt."""

import csv
import io

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from registry.accounts.confirmation import note_refusal, password_confirmed_limit
from registry.accounts.forms import ConfirmForm
from registry.accounts.permissions import allow, anyone, is_agency_user, is_regulator
from registry.actions import created_once
from registry.api.exports import BOM, cell, drain
from registry.commitments import keys, queries, services
from registry.commitments.forms import (
    NewTemplateForm,
    OverviewFilterForm,
    ReceiptCheckForm,
    ReceiptLookupForm,
    RevokeForm,
    SignForm,
    TemplateForm,
)
from registry.commitments.models import CommitmentSignature, CommitmentTemplate
from registry.commitments.receipts import grouped, letter_text, normalise_receipt_code, text_sha256
from registry.commitments.verification import check_receipt, qr_svg
from registry.dates import local_today
from registry.db import db
from registry.i18n import current_language

bp = Blueprint("commitments", __name__)


# --- the agency signs ----------------------------------------------------------------------


@bp.route("/my/agency/commitment", methods=["GET", "POST"])
@allow(is_agency_user)
@password_confirmed_limit("sign")
def my_commitment():
    agency = current_user.agency
    if agency is None:
        return redirect(url_for("my_agency.overview"))
    template = queries.current_template()
    language = current_language()
    form = SignForm()
    signed = created_once(
        form,
        lambda: services.sign_commitment(
            current_user, agency, form.details(request.remote_addr, request.user_agent.string)
        ),
        refusal=services.CommitmentError,
        on_refusal=note_refusal,
        done=lambda signature: _(
            "Signed. Your receipt code is %(code)s.", code=grouped(signature.receipt_code)
        ),
        then=lambda signature: url_for("commitments.receipt", code=signature.receipt_code),
    )
    if signed:
        return signed
    if template is not None and not form.is_submitted():
        form.template_id.data = str(template.id)
        form.language.data = language
        form.text_sha256.data = text_sha256(_text_of(template, language))
    today = local_today()
    return render_template(
        "commitments/my_commitment.html",
        agency=agency,
        template=template,
        text=_text_of(template, language) if template else None,
        language=language,
        form=form,
        commitment=queries.agency_commitment(agency.id, today),
        signatures=queries.signatures_of(agency.id),
        versions=queries.Versions(),
        today=today,
    ), (400 if form.errors or form.form_errors else 200)


def _text_of(template: CommitmentTemplate, language: str) -> str:
    return letter_text(template.title(language), template.body(language))


# --- regulators: versions ------------------------------------------------------------------


@bp.route("/regulator/commitments/templates")
@allow(is_regulator)
def templates():
    return render_template(
        "commitments/templates.html",
        published=list(reversed(queries.published_templates())),
        drafts=queries.drafts(),
    )


@bp.route("/regulator/commitments/templates/new", methods=["GET", "POST"])
@allow(is_regulator)
def new_template():
    current = queries.current_template()
    form = (
        NewTemplateForm(obj=current) if request.method == "GET" and current else NewTemplateForm()
    )
    drafted = created_once(
        form,
        lambda: services.draft_template(current_user, form.details()),
        refusal=services.CommitmentError,
        done=_("Draft saved. Read it once more, then publish it."),
        then=lambda template: url_for("commitments.template", template_id=template.id),
    )
    return drafted or render_template("commitments/edit_template.html", form=form, template=None)


@bp.route("/regulator/commitments/templates/<int:template_id>")
@allow(is_regulator)
def template(template_id: int):
    return render_template(
        "commitments/template.html", template=db.get_or_404(CommitmentTemplate, template_id)
    )


@bp.route("/regulator/commitments/templates/<int:template_id>/edit", methods=["GET", "POST"])
@allow(is_regulator)
def edit_template(template_id: int):
    template = db.get_or_404(CommitmentTemplate, template_id)
    if template.is_published:
        flash(_("A published version cannot be changed; write a new draft."), "warning")
        return redirect(url_for("commitments.template", template_id=template.id))
    form = TemplateForm(obj=template)
    if form.validate_on_submit():
        try:
            services.change_draft(current_user, template, form.details())
        except services.CommitmentError as error:
            form.show_refusal(error)
        else:
            db.session.commit()
            flash(_("Draft saved."), "success")
            return redirect(url_for("commitments.template", template_id=template.id))
    return render_template("commitments/edit_template.html", form=form, template=template)


@bp.route("/regulator/commitments/templates/<int:template_id>/publish", methods=["GET", "POST"])
@allow(is_regulator)
def publish_template(template_id: int):
    template = db.get_or_404(CommitmentTemplate, template_id)
    form = ConfirmForm()
    if template.is_published:
        flash(_("Version %(version)d is already published.", version=template.version), "info")
        return redirect(url_for("commitments.template", template_id=template.id))
    if form.validate_on_submit():
        services.publish_template(current_user, template)
        db.session.commit()
        flash(_("Version %(version)d is published.", version=template.version), "success")
        return redirect(url_for("commitments.template", template_id=template.id))
    return render_template(
        "commitments/confirm_publish.html",
        template=template,
        form=form,
        current=queries.current_template(),
    )


# --- regulators: who signed ----------------------------------------------------------------


@bp.route("/regulator/commitments/")
@allow(is_regulator)
def overview():
    filters = OverviewFilterForm(request.args)
    notice_days = current_app.config["COMMITMENT_LAPSE_NOTICE_DAYS"]
    if not filters.validate():
        return render_template(
            "commitments/overview.html", filters=filters, page=None, notice_days=notice_days
        ), 400
    today = local_today()
    page = db.paginate(
        queries.overview(filters.standing.data or None, today),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    commitments = queries.commitments_of([agency.id for agency in page.items], today)
    rows = [(agency, commitments[agency.id]) for agency in page.items]
    return render_template(
        "commitments/overview.html",
        filters=filters,
        page=page,
        rows=rows,
        today=today,
        notice_days=notice_days,
    )


@bp.route("/regulator/commitments/export.csv")
@allow(is_regulator)
def export():
    filters = OverviewFilterForm(request.args)
    if not filters.validate():
        abort(400, _("Unknown filter."))
    today = local_today()
    query = queries.overview(filters.standing.data or None, today)
    header = [
        _("Credit code"),
        _("Agency"),
        _("Commitment"),
        _("Version"),
        _("Signed by"),
        _("Signed at (UTC)"),
        _("Counts until"),
        _("Receipt code"),
    ]

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        yield BOM + drain(buffer)
        agencies = db.session.execute(query.execution_options(yield_per=500)).scalars()
        for batch in agencies.partitions():
            commitments = queries.commitments_of([agency.id for agency in batch], today)
            for agency in batch:
                writer.writerow(
                    cell(value) for value in _export_row(agency, commitments[agency.id])
                )
            yield drain(buffer)

    return Response(
        stream_with_context(lines()),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=commitments-{today:%Y%m%d}.csv"},
    )


def _export_row(agency, commitment: queries.Commitment) -> list:
    signature = commitment.signature
    if signature is None:
        return [agency.credit_code, agency.name, queries.STANDING_LABELS["never_signed"]]
    return [
        agency.credit_code,
        agency.name,
        queries.STANDING_LABELS[commitment.standing.value],
        signature.template_version,
        signature.signer_name,
        signature.signed_at.isoformat(sep=" "),
        commitment.ends_on,
        grouped(signature.receipt_code),
    ]


@bp.route("/regulator/commitments/signatures/<int:signature_id>")
@allow(is_regulator)
def signature(signature_id: int):
    signature = db.get_or_404(CommitmentSignature, signature_id)
    return render_template(
        "commitments/signature.html",
        signature=signature,
        status=queries.receipt_status(signature, local_today()),
    )


@bp.route("/regulator/commitments/signatures/<int:signature_id>/revoke", methods=["GET", "POST"])
@allow(is_regulator)
def revoke(signature_id: int):
    signature = db.get_or_404(CommitmentSignature, signature_id)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke_signature(current_user, signature, form.reason.data)
        except services.CommitmentError as error:
            form.show_refusal(error)
        else:
            db.session.commit()
            flash(_("Signature revoked; the agency is told."), "success")
            return redirect(url_for("commitments.signature", signature_id=signature.id))
    return render_template("commitments/confirm_revoke.html", signature=signature, form=form)


# --- anyone verifies -----------------------------------------------------------------------


@bp.route("/verify", methods=["GET", "POST"])
@allow(anyone)
def verify():
    """Look a receipt up by its code, or check a payload and signature one holds."""
    lookup = ReceiptLookupForm(request.args)
    check = ReceiptCheckForm()
    if "code" in request.args:
        if not lookup.validate():
            return _verify_page(lookup, check, status=400)
        code = normalise_receipt_code(lookup.code.data)
        if code is None:
            lookup.code.errors.append(
                _("A receipt code has 12 letters and digits, like 7KQ2-M9XD-3FHT.")
            )
            return _verify_page(lookup, check, status=400)
        return redirect(url_for("commitments.receipt", code=code))
    result = None
    if check.validate_on_submit():
        result = check_receipt(check.payload.data.strip(), check.signature.data.strip())
    return _verify_page(lookup, check, result=result, status=400 if check.errors else 200)


def _verify_page(lookup, check, *, result=None, status=200):
    return render_template(
        "commitments/verify.html", lookup=lookup, check=check, result=result
    ), status


@bp.route("/commitments/<code>")
@allow(anyone)
def receipt(code: str):
    signature = _receipt_or_404(code)
    return render_template(
        "commitments/receipt.html",
        signature=signature,
        genuine=keys.verify(signature.payload, signature.signature, signature.key_id),
        status=queries.receipt_status(signature, local_today()),
    )


@bp.route("/commitments/<code>/letter")
@allow(anyone)
def letter(code: str):
    signature = _receipt_or_404(code)
    template = signature.template
    verify_url = url_for("commitments.receipt", code=signature.receipt_code, _external=True)
    return render_template(
        "commitments/letter.html",
        signature=signature,
        text=letter_text(template.title(signature.language), template.body(signature.language)),
        status=queries.receipt_status(signature, local_today()),
        verify_url=verify_url,
        qr=qr_svg(verify_url),
    )


def _receipt_or_404(code: str) -> CommitmentSignature:
    normalised = normalise_receipt_code(code)
    if normalised is None:
        abort(404)
    if normalised != code:
        abort(redirect(url_for(request.endpoint, code=normalised)))
    signature = queries.signature_by_receipt(normalised)
    if signature is None:
        abort(404)
    return signature


@bp.app_template_filter("receipt_code")
def receipt_code_filter(code: str) -> str:
    """A receipt code as printed: XXXX-XXXX-XXXX."""
    return grouped(code)


@bp.app_template_global()
def standing_label(standing) -> str:
    return queries.STANDING_LABELS[str(standing)]
