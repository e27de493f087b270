"""The command line: the only package that imports click or prints."""

from geo.cli.main import cli, main

__all__ = ["cli", "main"]
