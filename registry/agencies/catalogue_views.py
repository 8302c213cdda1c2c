"""The service catalogue: kept by regulators, read by everyone."""

from flask import Blueprint

bp = Blueprint("catalogue", __name__)
