"""Tests of geo.store."""
