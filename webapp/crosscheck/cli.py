"""Command line of the crosscheck engine."""

from flask.cli import AppGroup

crosscheck_cli = AppGroup("crosscheck", help="crosscheck commands")
