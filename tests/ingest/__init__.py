"""Tests of geo.ingest."""
