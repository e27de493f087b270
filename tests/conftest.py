"""Shared fixtures: a small park built in code and written into real GIS files."""

from __future__ import annotations

import hashlib
import textwrap
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"

# A 100 m × 200 m parcel is 20,000 m² = 30 亩 exactly (1 亩 = 10000/15 m²).
X0, Y0 = 508_600.0, 3_441_000.0


def pytest_report_header(config):
    import pyproj

    return (
        f"GDAL {pyogrio.__gdal_version_string__}, PROJ {pyproj.proj_version_str}, "
        f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string}), "
        f"geopandas {gpd.__version__}, pandas {pd.__version__}"
    )


def realdata(*parts: str) -> Path:
    """Path inside ../shared/realdata; skips the test cleanly when the folder is absent."""
    path = REALDATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real-data file {path} is not here (a plain clone has no ../shared)")
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def parcels_frame() -> gpd.GeoDataFrame:
    """Four parcels with Chinese source field names, in EPSG:4544."""
    boxes = [
        shapely.box(X0, Y0, X0 + 100, Y0 + 200),  # 30 亩
        shapely.box(X0 + 120, Y0, X0 + 270, Y0 + 200),  # 45 亩
        shapely.box(X0, Y0 + 220, X0 + 300, Y0 + 420),  # 90 亩
        shapely.box(X0 + 320, Y0, X0 + 420, Y0 + 100),  # 15 亩
    ]
    return gpd.GeoDataFrame(
        {
            "地块编号": ["P1", "P2", "P3", "P4"],
            "所属片区": ["Z1", "Z1", "Z1", "Z2"],
            "用地性质": ["0601", "0601", "0701", "0604"],
            "用地面积": [30.0, 45.0, 90.0, 15.0],
            "供地日期": ["2023-03-01", "2023/5/6", "", "2022年12月1日"],
            "项目名称": ["臻秦", "鑫鸣灏", "安置房", "优利克"],
        },
        geometry=boxes,
        crs="EPSG:4544",
    )


def zones_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"片区编号": ["Z1", "Z2"], "片区名称": ["五里梁片区", "青东X"]},
        geometry=[
            shapely.box(X0 - 10, Y0 - 10, X0 + 310, Y0 + 430),
            shapely.box(X0 + 315, Y0 - 10, X0 + 430, Y0 + 110),
        ],
        crs="EPSG:4544",
    )


#: A [progress.weekly] section of park.toml for a CSV with these Chinese headers.
PROGRESS_HEADERS = ["图层", "编号", "日期", "阶段", "完成比例(%)", "备注"]
PROGRESS_SPEC = """
[progress.weekly]
source = "{source}"
[progress.weekly.fields]
"图层" = "kind"
"编号" = "feature_id"
"日期" = "date"
"阶段" = "stage"
"完成比例(%)" = "percent"
"备注" = "note"
"""


PARCEL_FIELDS = {
    "所属片区": "zone",
    "用地性质": "land_use",
    "用地面积": "declared_area_mu",
    "供地日期": "allocated_on",
}


def manifest_text(
    parcels: str,
    *,
    parcels_extra: str = "",
    zones: str = "layers/zones.geojson",
    layer: str | None = None,
) -> str:
    layer_line = f'layer = "{layer}"\n' if layer else ""
    return (
        textwrap.dedent(f"""\
        [park]
        name = "测试园区"
        as_of = 2024-09-30
        crs = "EPSG:4544"

        [layers.zones]
        kind = "zones"
        source = "{zones}"
        id = "片区编号"
        [layers.zones.fields]
        "片区名称" = "name"

        [layers.parcels]
        kind = "parcels"
        source = "{parcels}"
        id = "地块编号"
        """)
        + layer_line
        + parcels_extra
        + textwrap.dedent("""\
        [layers.parcels.fields]
        "所属片区" = "zone"
        "用地性质" = "land_use"
        "用地面积" = "declared_area_mu"
        "供地日期" = "allocated_on"
        """)
    )


def write_layer(gdf: gpd.GeoDataFrame, path: Path, *, fmt: str) -> Path:
    """Write *gdf* as a real file of format *fmt*; returns the path to name in park.toml."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "gpkg":
        pyogrio.write_dataframe(gdf, path.with_suffix(".gpkg"), layer="地块", driver="GPKG")
        return path.with_suffix(".gpkg")
    if fmt == "geojson":
        pyogrio.write_dataframe(gdf, path.with_suffix(".geojson"), driver="GeoJSON")
        return path.with_suffix(".geojson")
    if fmt == "fgb":
        pyogrio.write_dataframe(gdf, path.with_suffix(".fgb"), driver="FlatGeobuf")
        return path.with_suffix(".fgb")
    if fmt in ("shp", "shp-gbk"):
        shp = path.with_suffix(".shp")
        # .dbf field names hold 10 bytes: 4 CJK characters fit in GBK, not in UTF-8, so
        # Chinese Shapefiles are GBK; "shp" keeps GDAL's .cpg, "shp-gbk" drops it.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
            pyogrio.write_dataframe(gdf, shp, driver="ESRI Shapefile", encoding="GBK")
        if fmt == "shp-gbk":
            shp.with_suffix(".cpg").unlink(missing_ok=True)
            dbf = shp.with_suffix(".dbf")
            data = bytearray(dbf.read_bytes())
            data[29] = 0  # no language driver id: like most GBK files in the wild
            dbf.write_bytes(bytes(data))
        return shp
    raise ValueError(fmt)


def demo_project(root: Path, *, edit=None, today=None):
    """The demo park written to *root* and imported into its store: (manifest, store).

    *edit*, when given, is called with *root* before the import (to plant test data).
    """
    from geo.demo import write_demo_project
    from geo.ingest.importer import import_project
    from geo.io.manifest import load_manifest
    from geo.store import open_store

    write_demo_project(root)
    if edit is not None:
        edit(root)
    manifest = load_manifest(root)
    store = open_store(manifest)
    import_project(manifest, store, today=today)
    return manifest, store


@pytest.fixture
def park(tmp_path) -> Path:
    """A small park project (zones + parcels as GeoJSON) ready to import."""
    layers = tmp_path / "layers"
    write_layer(zones_frame(), layers / "zones", fmt="geojson")
    write_layer(parcels_frame(), layers / "parcels", fmt="geojson")
    (tmp_path / "park.toml").write_text(manifest_text("layers/parcels.geojson"), encoding="utf-8")
    return tmp_path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
