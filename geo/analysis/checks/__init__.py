"""Land-bureau checks (国土检查): the rules, their runner and the allocation summary."""

from geo.analysis.checks.topology import (  # noqa: F401
    CheckResult,
    Finding,
    LandUse,
    Rule,
    _add_years,
    check_project,
    check_thresholds,
    findings_frame,
    findings_table,
    land_use_table,
    lookup_land_use,
    registered_rules,
    rule,
    rule_table,
    run_checks,
    summary_frames,
)
