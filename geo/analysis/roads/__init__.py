"""Road progress by chainage (桩号): per road and work item, what is done on a date.

``state`` paints the records along each road (:func:`road_state`, :func:`roads_status`),
``findings`` holds the road rules' checks, ``model`` the result types and interval
arithmetic, ``sections`` the outputs (section lines, chainage ticks, JSON).
"""

from geo.analysis.roads.model import RULES, ItemProgress, RoadsResult, RoadState, Rule
from geo.analysis.roads.sections import chainage_ticks, roads_json, section_geometries
from geo.analysis.roads.state import road_state, roads_status, select_roads

__all__ = [
    "RULES",
    "ItemProgress",
    "RoadState",
    "RoadsResult",
    "Rule",
    "chainage_ticks",
    "road_state",
    "roads_json",
    "roads_status",
    "section_geometries",
    "select_roads",
]
