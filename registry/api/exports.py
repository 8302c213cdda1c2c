"""CSV exports: streamed in batches, UTF-8 with a BOM, safe to open in a spreadsheet."""

import csv
import io
from collections.abc import Iterator

from sqlalchemy import Select

from registry.api.records import agency_summaries
from registry.dates import local_today
from registry.db import db

BOM = "\ufeff"
BATCH_SIZE = 500
# A cell starting with one of these is a formula to a spreadsheet program (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
AGENCY_COLUMNS = (
    "credit_code",
    "name",
    "category",
    "district",
    "town",
    "status",
    "stars",
    "rating_status",
    "score",
    "blacklisted",
    "commitment_signed",
    "commitment_valid_until",
)


def cell(value) -> str:
    """A value as a CSV cell: empty for null, text that cannot start a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return str(value)


def agency_row(summary: dict) -> list[str]:
    values = {
        **summary,
        "district": summary["region"]["district"],
        "town": summary["region"]["town"],
        "commitment_signed": summary["commitment"]["signed"],
        "commitment_valid_until": summary["commitment"]["valid_until"],
    }
    return [cell(values[column]) for column in AGENCY_COLUMNS]


def agency_csv(query: Select) -> Iterator[str]:
    """The BOM and header, then the agencies of the query, a batch of rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(AGENCY_COLUMNS)
    yield BOM + drain(buffer)
    result = db.session.execute(query.execution_options(yield_per=BATCH_SIZE)).scalars()
    today = local_today()
    for batch in result.partitions():
        writer.writerows(agency_row(summary) for summary in agency_summaries(batch, today))
        yield drain(buffer)


def drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
