"""The media blueprint: serves stored files to those allowed to see them."""

from flask import Blueprint

bp = Blueprint("media", __name__)
