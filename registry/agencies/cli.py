"""flask commands for agencies: importing a regulator's CSV file, and the demo data."""

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from registry.accounts.permissions import SYSTEM
from registry.agencies import demo, demo_bulk, importer
from registry.audit.services import record
from registry.db import db

agencies_cli = AppGroup("agencies", help="Import agencies from a CSV file.")


@agencies_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--skip-invalid", is_flag=True, help="Import the good rows even when others are refused."
)
def import_agencies(file: Path, skip_invalid: bool) -> None:
    """Create or update agencies from a CSV file (UTF-8, with or without BOM).

    The header row names the columns credit_code, name, category, district, town, address,
    contact_person, phone, legal_representative, email, business_scope and, optionally,
    status (active or pending; empty means active). category is a code such as surveying
    (see `AgencyCategory`); district and town are the region's (REGION_TOWNS). An agency
    already registered under the code is updated if its details differ (its status is
    never changed by an import). Nothing is imported while any row is refused, unless
    --skip-invalid is given.
    """
    started = time.perf_counter()
    validation = _validated(file)
    _report(validation.problems)
    if validation.problems and not skip_invalid:
        raise click.ClickException(
            f"{validation.refused_lines} row(s) refused; nothing imported. Correct them, "
            "or import the other rows with --skip-invalid."
        )
    with _progress("Importing agencies", iterable=validation.rows) as rows:
        outcome = importer.apply(rows, source=file.name)
    _report(outcome.refused)
    if outcome.refused and not skip_invalid:
        db.session.rollback()
        raise click.ClickException(
            f"{len(outcome.refused)} row(s) refused; nothing imported. Leave them out, or "
            "import the other rows with --skip-invalid."
        )
    db.session.commit()
    click.echo(
        f"{file.name}: {outcome.created} created, {outcome.updated} updated (recorded in the "
        f"audit log), {outcome.unchanged} unchanged, "
        f"{validation.refused_lines + len(outcome.refused)} refused, "
        f"in {time.perf_counter() - started:.1f} s."
    )


def _validated(file: Path) -> importer.Validation:
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.ClickException(
            f"{file.name} is not UTF-8 text (byte {error.start + 1}); save it as CSV UTF-8."
        ) from None
    try:
        return importer.validate(text, current_app.config["REGION_TOWNS"])
    except importer.ImportFileError as error:
        raise click.ClickException(f"{file.name}: {error}") from None


def _report(problems: list[importer.Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def _progress(label: str, **kwargs):
    """A progress bar on stderr, so that the summary on stdout stays machine-readable."""
    return click.progressbar(label=label, file=click.get_text_stream("stderr"), **kwargs)


@click.command("load")
@with_appcontext
@click.option("--seed", type=int, default=demo.DEFAULT_SEED, show_default=True)
def demo_load(seed: int) -> None:
    """Load the demo registry: catalogue, agencies, fees, town agents, commitments,
    engagements, reviews, complaints, inspections, evaluations and blacklist cases (adds what
    is missing)."""
    _require_demo_mode("Demo data is loaded")
    started = time.perf_counter()
    counts = demo.load(seed)
    # The other packages' demo data, in dependency order; the factory lists them, so the
    # core never imports the packages that build on it.
    for load in current_app.extensions.get("demo_loaders", ()):
        load(seed, counts)
    if counts:
        record("demo.loaded", actor=SYSTEM, details={"seed": seed, **counts})
    db.session.commit()
    elapsed = time.perf_counter() - started
    if not counts:
        click.echo(f"Demo data (seed {seed}) already loaded; nothing changed ({elapsed:.1f} s).")
        return
    click.echo(f"Demo data loaded (seed {seed}): {_listed(counts)} in {elapsed:.1f} s.")


@click.command("generate")
@with_appcontext
@click.option("--agencies", "count", type=click.IntRange(min=1), required=True)
@click.option("--seed", type=int, default=demo.DEFAULT_SEED, show_default=True)
def demo_generate(count: int, seed: int) -> None:
    """Add COUNT generated agencies with fee schedules, fast (for benchmarks)."""
    _require_demo_mode("Agencies are generated")
    started = time.perf_counter()
    with _progress("Generating agencies", length=count) as bar:
        counts = demo_bulk.generate(count, seed, bar.update)
    db.session.commit()
    elapsed = time.perf_counter() - started
    click.echo(
        f"Generated (seed {seed}): {_listed(counts)} in {elapsed:.1f} s "
        f"({counts['agencies'] / elapsed:,.0f} agencies/s)."
    )


def _require_demo_mode(what: str) -> None:
    if not current_app.config["DEMO_MODE"]:
        raise click.ClickException(f"{what} only in demo mode (DEMO_MODE=1).")


def _listed(counts) -> str:
    return ", ".join(f"{number} {name.replace('_', ' ')}" for name, number in counts.items())
