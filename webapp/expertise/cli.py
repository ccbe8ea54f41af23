"""Command line of the expertise engine."""

from flask.cli import AppGroup

expertise_cli = AppGroup("expertise", help="expertise commands")
