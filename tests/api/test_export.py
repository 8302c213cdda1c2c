"""The CSV export: the list's filters, streamed, UTF-8 with a BOM, no spreadsheet formulas."""

import csv
import io
import re

import pytest
from flask.testing import FlaskClient

from registry.api.exports import AGENCY_COLUMNS


def export(client, **params):
    """GET the export, read whole inside the request's own context (see IsolatedClient)."""
    return client.get("/api/v1/agencies.csv", query_string=params, buffered=True)


def rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_the_export_is_a_streamed_utf8_csv_download_with_a_bom(app, agencies):
    # IsolatedClient runs each request in its own contextvars.Context, which a generator
    # resumed later cannot re-enter; Flask's own client reads the stream as a server would.
    response = FlaskClient(app, app.response_class).get("/api/v1/agencies.csv")
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r"attachment; filename=agencies-\d{8}\.csv", disposition)
    assert response.data.startswith("\ufeff".encode())


def test_the_export_has_a_header_and_every_match(client, agencies):
    table = rows(export(client, sort="name"))
    assert tuple(table[0]) == AGENCY_COLUMNS
    assert [row[1] for row in table[1:]] == [
        "ＡＢＣ测绘（江阴）有限公司",
        "澄江环保科技有限公司",
        "江阴环评咨询有限公司",
        "江阴市长江测绘有限公司",
    ]
    huanping = next(row for row in table if row[1] == "江阴环评咨询有限公司")
    assert dict(zip(AGENCY_COLUMNS, huanping, strict=True)) == {
        "credit_code": agencies["huanping"].credit_code,
        "name": "江阴环评咨询有限公司",
        "category": "environmental",
        "district": "江阴市",
        "town": "华士镇",
        "status": "active",
        "stars": "",
        "rating_status": "unrated",
        "score": "",
        "blacklisted": "false",
        "commitment_signed": "false",
        "commitment_valid_until": "",
    }


def test_the_export_takes_the_lists_filters_without_pages(client, make_agency):
    for number in range(3):
        make_agency("active", name=f"江阴测绘{number}有限公司")
    make_agency("active", name="江阴环评有限公司", category="environmental")
    table = rows(export(client, category="surveying", per_page=1, page=9))
    assert len(table) == 1 + 3


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://evil.example","点我")', "+1+1", "-2", "@SUM(A1)"]
)
def test_cells_that_would_be_formulas_are_neutralised(client, make_agency, name):
    make_agency("active", name=name)
    table = rows(export(client))
    assert table[1][1] == "'" + name


def test_bad_filters_are_a_400_in_json(client):
    response = export(client, category="nonsense")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"
