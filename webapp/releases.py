"""The releases blueprint."""

from flask import Blueprint

bp = Blueprint("releases", __name__)
