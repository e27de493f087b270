"""Domain rules: the tables of kinds, stages and units, values, CRS, chainage, linear referencing.

The bottom of the data flow; imports nothing from the rest of parkgeo but ``settings`` and
``errors``.
"""
