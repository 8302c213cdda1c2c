"""Town and village agents: kept by regulators, listed publicly by town."""

from flask import Blueprint

bp = Blueprint("agents", __name__)
