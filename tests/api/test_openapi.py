"""The OpenAPI 3 description at /api/v1/openapi.json documents the API as it answers."""


def test_the_spec_is_openapi_3_json_with_every_path(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.content_type == "application/json"
    spec = response.json
    assert spec["openapi"] == "3.0.3"
    assert spec["info"]["version"] == "v1"
    assert set(spec["paths"]) == {
        "/api/v1/agencies",
        "/api/v1/agencies.csv",
        "/api/v1/agencies/{credit_code}",
        "/api/v1/blacklist",
        "/api/v1/blacklist.csv",
        "/api/v1/commitments/{receipt_code}",
        "/api/v1/commitments/public-key",
        "/api/v1/red-list",
    }


def test_the_spec_documents_parameters_errors_and_the_csv(client):
    spec = client.get("/api/v1/openapi.json").json
    listing = spec["paths"]["/api/v1/agencies"]["get"]
    parameters = {p.get("name", p.get("$ref")): p for p in listing["parameters"]}
    assert {
        "q",
        "category",
        "region",
        "service_item",
        "min_stars",
        "include_blacklisted",
        "#/components/parameters/IF_NONE_MATCH",
    } <= set(parameters)
    assert parameters["per_page"]["schema"]["maximum"] == 100
    assert {"200", "304", "400"} <= set(listing["responses"])
    assert "422" not in listing["responses"]
    error = spec["components"]["schemas"]["Error"]["properties"]["error"]
    assert error["$ref"] == "#/components/schemas/ErrorDetail"
    export = spec["paths"]["/api/v1/agencies.csv"]["get"]
    assert "text/csv" in export["responses"]["200"]["content"]


def test_no_documentation_ui_is_served(client):
    for path in ("/api/v1/swagger-ui", "/api/v1/redoc", "/api/v1/rapidoc"):
        assert client.get(path).status_code == 404
