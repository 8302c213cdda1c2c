"""The read-only public API v1: flask-smorest, its OpenAPI description, CSV exports."""

from flask import Flask
from flask_smorest import Api

from registry.api.protocol import ApiError, answer_api_error
from registry.api.schemas import Error

# The spec is served at /api/v1/openapi.json; no documentation UI (it would load a CDN).
API_CONFIG = {
    "API_TITLE": "Intermediary agency registry",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}
SPEC_ENDPOINT = "api-docs.openapi_json"


class RegistryApi(Api):
    """flask-smorest's Api, documenting and keeping the registry's own error bodies."""

    ERROR_SCHEMA = Error

    def _register_error_handlers(self):
        """registry.errors answers every HTTP error; flask-smorest's body would differ."""


def init_api(app: Flask) -> None:
    """Mount API v1 and its OpenAPI description; every endpoint is public."""
    from registry.accounts.permissions import declare_public_endpoints
    from registry.api.agencies import bp as agencies
    from registry.api.blacklist import bp as blacklist
    from registry.api.commitments import bp as commitments
    from registry.api.red_list import bp as red_list

    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    api = RegistryApi(app)
    api.register_blueprint(agencies)
    api.register_blueprint(commitments)
    api.register_blueprint(blacklist)
    api.register_blueprint(red_list)
    app.register_error_handler(ApiError, answer_api_error)
    declare_public_endpoints(app, SPEC_ENDPOINT)
