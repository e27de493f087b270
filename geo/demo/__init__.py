"""The demo park, built from the seed report: a complete park project written to a folder."""

from geo.demo.project import write_demo_project

__all__ = ["write_demo_project"]
