"""Tests of geo.demo."""
