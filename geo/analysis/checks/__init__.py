"""Land-bureau checks (国土检查) over the store, and the allocation summary reported upward.

Each rule is a small function registered under its id with :func:`rule`; the rule table
``geo/data/checks.toml`` gives its severity, titles, unit and thresholds (overridable in
park.toml ``[checks]``), ``geo/data/check_messages.toml`` the text of its findings.
:func:`run_checks` runs every rule and returns findings and the summary as data; the CLI
prints them and writes the ``findings`` layer through the store.

base      the rule, land-use and message tables; Finding, CheckResult; the rule registry
context   what the rules share: layers in the working CRS, states, lookups by id
topology  geometry, parcel overlaps and gaps, the park and its zones, building footprints
land      projects and their parcels, declared areas, land use
idle      idle land (闲置土地) and the yearly land quota
summary   the allocation summary (by zone, year, land use, industry)
runner    run_checks / check_project / check_dates, findings as a table and a layer
"""

from geo.analysis.checks.base import (
    CheckResult,
    Finding,
    LandUse,
    Rule,
    check_thresholds,
    land_use_table,
    lookup_land_use,
    message,
    registered_rules,
    rule,
    rule_table,
)
from geo.analysis.checks.runner import (
    check_dates,
    check_project,
    findings_frame,
    findings_table,
    run_checks,
)
from geo.analysis.checks.summary import summary_frames

__all__ = [
    "CheckResult",
    "Finding",
    "LandUse",
    "Rule",
    "check_dates",
    "check_project",
    "check_thresholds",
    "findings_frame",
    "findings_table",
    "land_use_table",
    "lookup_land_use",
    "message",
    "registered_rules",
    "rule",
    "rule_table",
    "run_checks",
    "summary_frames",
]
