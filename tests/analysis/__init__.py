"""Tests of geo.analysis."""
