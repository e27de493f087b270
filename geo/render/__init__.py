"""Render: maps, snapshots and charts drawn from the analysis results."""
