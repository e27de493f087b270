"""Basemaps: online tile services, and local tiles (XYZ folder or MBTiles) inlined."""

from __future__ import annotations

import base64
import math
import sqlite3
from pathlib import Path

from geo.errors import ParkGeoError

__all__ = ["BASEMAPS", "BASEMAP_LABELS", "local_tiles"]

#: Basemaps: name → (tile URL template or None, attribution, subdomains, needs GCJ-02 shift).
BASEMAPS = {
    "none": (None, "", "", False),
    "osm": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "© OpenStreetMap contributors",
        "",
        False,
    ),
    "tianditu": (
        "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
        "&TILECOL={x}&tk={key}",
        "天地图 Tianditu",
        "01234567",
        False,
    ),
    "amap": (
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
        "&x={x}&y={y}&z={z}",
        "高德地图 Gaode/Amap",
        "1234",
        True,
    ),
    "local": (None, "", "", False),
}

#: Label (annotation) tiles drawn over a basemap whose own tiles carry no names.
BASEMAP_LABELS = {
    "tianditu": "https://t{s}.tianditu.gov.cn/cva_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
    "&VERSION=1.0.0&LAYER=cva&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}"
    "&TILEROW={y}&TILECOL={x}&tk={key}",
}


def local_tiles(path: Path, bounds, *, max_tiles: int = 4000) -> dict[str, str]:
    """Tiles covering *bounds* from an XYZ folder or an MBTiles file, as data URIs."""
    path = Path(path)
    if not path.exists():
        raise ParkGeoError(f"{path}: no such tile folder or MBTiles file (--tiles).")
    (lat0, lon0), (lat1, lon1) = bounds

    def tile_range(z):
        n = 2**z

        def xy(lon, lat):
            x = int((lon + 180.0) / 360.0 * n)
            r = math.radians(lat)
            y = int((1.0 - math.asinh(math.tan(r)) / math.pi) / 2.0 * n)
            return min(max(x, 0), n - 1), min(max(y, 0), n - 1)

        (xa, ya), (xb, yb) = xy(lon0, lat1), xy(lon1, lat0)
        return range(xa, xb + 1), range(ya, yb + 1)

    out: dict[str, str] = {}
    if path.suffix.lower() == ".mbtiles":
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            fmt = dict(con.execute("SELECT name, value FROM metadata").fetchall()).get(
                "format", "png"
            )
            zooms = [r[0] for r in con.execute("SELECT DISTINCT zoom_level FROM tiles")]
            for z in sorted(zooms):
                xs, ys = tile_range(z)
                for x in xs:
                    for y in ys:
                        row = con.execute(
                            "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? "
                            "AND tile_row=?",
                            (z, x, 2**z - 1 - y),
                        ).fetchone()
                        if row:
                            out[f"{z}/{x}/{y}"] = _data_uri(row[0], fmt)
                            if len(out) > max_tiles:
                                raise ParkGeoError(
                                    f"{path}: more than {max_tiles} tiles cover "
                                    "the park; export fewer zoom levels."
                                )
        finally:
            con.close()
        return out
    for zdir in sorted(p for p in path.iterdir() if p.is_dir() and p.name.isdigit()):
        z = int(zdir.name)
        xs, ys = tile_range(z)
        for x in xs:
            for y in ys:
                for ext in ("png", "jpg", "jpeg", "webp"):
                    tile = zdir / str(x) / f"{y}.{ext}"
                    if tile.exists():
                        out[f"{z}/{x}/{y}"] = _data_uri(tile.read_bytes(), ext)
                        break
        if len(out) > max_tiles:
            raise ParkGeoError(
                f"{path}: more than {max_tiles} tiles cover the park; export fewer zoom levels."
            )
    return out


def _data_uri(data: bytes, fmt: str) -> str:
    mime = {"jpg": "jpeg", "jpeg": "jpeg", "webp": "webp"}.get(fmt, "png")
    return f"data:image/{mime};base64," + base64.b64encode(data).decode("ascii")
