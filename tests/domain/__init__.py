"""Tests of geo.domain."""
