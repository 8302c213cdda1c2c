from tests.conftest import build_app


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"]["ok"] is True
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_is_503_when_the_database_is_down():
    app = build_app("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["database"]["ok"] is False


def test_healthz_says_whether_chinese_text_search_works(client):
    assert client.get("/healthz").json["database"]["text_search"] == "ok"


def test_a_non_utf8_ctype_is_reported(monkeypatch):
    from registry.db import text_search_problem

    class Connection:
        class dialect:
            name = "postgresql"

        def exec_driver_sql(self, sql):
            class Result:
                def scalar_one(self):
                    return "C"

            return Result()

    assert "not UTF-8" in text_search_problem(Connection())
