"""Import: every supported format round-trips; every refusal names what, where and how."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from geo.cli import cli
from geo.errors import CRSError, GeometryError, LayerReadError
from geo.ingest.importer import import_project, parse_date, parse_number
from geo.io.manifest import load_manifest
from geo.store import open_store
from tests.conftest import (
    X0,
    Y0,
    manifest_text,
    parcels_frame,
    read_back,
    store_location,
    store_state,
    use_store,
    write_layer,
    zones_frame,
)

FORMATS = ["gpkg", "shp", "shp-gbk", "geojson", "fgb"]


def _project(tmp_path, frame, fmt, *, extra="", zones=None):
    layers = tmp_path / "layers"
    write_layer(zones if zones is not None else zones_frame(), layers / "zones", fmt="geojson")
    path = write_layer(frame, layers / "parcels", fmt=fmt)
    layer = "地块" if fmt == "gpkg" else None
    (tmp_path / "park.toml").write_text(
        manifest_text(path.relative_to(tmp_path).as_posix(), parcels_extra=extra, layer=layer),
        encoding="utf-8",
    )
    return tmp_path


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_imports_field_by_field(tmp_path, fmt):
    project = _project(tmp_path, parcels_frame(), fmt)
    manifest = load_manifest(project)
    report = import_project(manifest, open_store(manifest))
    assert report.counts == {"zones": 2, "parcels": 4}
    if fmt == "shp-gbk":
        assert any("gb18030" in n for n in report.notes)

    # read the store back with pyogrio, independently of parkgeo's store module
    stored = read_back(manifest.store, "parcels")
    stored = stored.sort_values("id", ignore_index=True)  # FlatGeobuf stores in Hilbert order
    assert stored.crs.to_epsg() == 4544
    assert list(stored["id"]) == ["P1", "P2", "P3", "P4"]
    assert list(stored["zone"]) == ["Z1", "Z1", "Z1", "Z2"]
    assert list(stored["land_use"]) == ["0601", "0601", "0701", "0604"]
    assert list(stored["declared_area_mu"]) == [30.0, 45.0, 90.0, 15.0]
    # a DATE field: GDAL reads it as a date
    dates = [d.date().isoformat() if pd.notna(d) else "" for d in stored["allocated_on"]]
    assert dates == ["2023-03-01", "2023-05-06", "", "2022-12-01"]
    assert list(stored["项目名称"]) == [
        "臻秦",
        "鑫鸣灏",
        "安置房",
        "优利克",
    ]  # unmapped fields kept
    # 100 m × 200 m = 20,000 m² = 30 亩, by hand
    assert stored.geometry.area.iloc[0] == pytest.approx(20_000.0, abs=1e-6)
    zones = read_back(manifest.store, "zones")
    assert list(zones["name"]) == ["五里梁片区", "青东X"]


def test_geographic_source_is_projected_to_working_crs(tmp_path):
    frame = parcels_frame().to_crs("EPSG:4490")
    project = _project(tmp_path, frame, "geojson")
    manifest = load_manifest(project)
    import_project(manifest, open_store(manifest))
    stored = read_back(manifest.store, "parcels")
    assert stored.crs.to_epsg() == 4544
    assert stored.geometry.area.iloc[0] == pytest.approx(20_000.0, rel=1e-6)


def _refused(project, exc_type, *needles, runner=None):
    manifest = load_manifest(project)
    store = open_store(manifest)
    before = store_state(store.url) if store.exists() else None
    with pytest.raises(exc_type) as info:
        import_project(manifest, store)
    for needle in needles:
        assert needle in str(info.value), str(info.value)
    assert (store_state(store.url) if store.exists() else None) == before
    return str(info.value)


@pytest.fixture
def imported(park):
    manifest = load_manifest(park)
    import_project(manifest, open_store(manifest))
    return park


def _rewrite_parcels(project, frame, fmt="geojson", extra=""):
    return _project(project, frame, fmt, extra=extra)


def test_missing_prj_is_refused_with_the_key_to_set(imported):
    frame = parcels_frame()
    shp = write_layer(frame, imported / "layers" / "parcels", fmt="shp")
    shp.with_suffix(".prj").unlink()
    (imported / "park.toml").write_text(manifest_text("layers/parcels.shp"), encoding="utf-8")
    msg = _refused(imported, CRSError, "parcels.shp", "no CRS", "[layers.parcels] crs")
    assert "500000" in msg or "EPSG:4534-4554" in msg


def test_zone_prefixed_eastings_suggest_epsg_4523(imported):
    frame = parcels_frame()
    frame = frame.set_geometry(
        shapely.transform(frame.geometry.array, lambda c: c + np.array([35_000_000, 0]))
    )
    frame = frame.set_crs(None, allow_override=True)
    shp = write_layer(frame, imported / "layers" / "parcels", fmt="shp")
    assert not shp.with_suffix(".prj").exists()
    (imported / "park.toml").write_text(manifest_text("layers/parcels.shp"), encoding="utf-8")
    _refused(imported, CRSError, "EPSG:4523", 'crs = "EPSG:4523"', "zone 35")


def test_prefixed_eastings_import_when_declared(imported):
    frame = parcels_frame()
    frame = frame.set_geometry(
        shapely.transform(frame.geometry.array, lambda c: c + np.array([35_000_000, 0]))
    )
    frame = frame.set_crs(None, allow_override=True)
    write_layer(frame, imported / "layers" / "parcels", fmt="shp")
    (imported / "park.toml").write_text(
        manifest_text("layers/parcels.shp", parcels_extra='crs = "EPSG:4523"\n'), encoding="utf-8"
    )
    manifest = load_manifest(imported)
    import_project(manifest, open_store(manifest))
    stored = read_back(manifest.store, "parcels")
    # EPSG:4523 and EPSG:4544 differ only by the 35,000,000 m false-easting prefix
    assert stored.geometry.iloc[0].bounds[0] == pytest.approx(X0, abs=1e-3)


def test_wrong_prj_degrees_labelled_projected_is_refused(imported):
    frame = parcels_frame().to_crs("EPSG:4490").set_crs("EPSG:4544", allow_override=True)
    write_layer(frame, imported / "layers" / "parcels", fmt="geojson")
    msg = _refused(imported, CRSError, "parcels.geojson", "degrees", "EPSG:4490", "prj")
    assert "[layers.parcels] crs" in msg


def test_wrong_declared_crs_is_refused(imported):
    (imported / "park.toml").write_text(
        manifest_text("layers/parcels.geojson", parcels_extra='crs = "EPSG:4326"\n'),
        encoding="utf-8",
    )
    _refused(imported, CRSError, "declares EPSG:4326", "[layers.parcels] crs")


def test_bowtie_is_reported_then_repaired_with_area(imported, runner):
    frame = parcels_frame()
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    frame.loc[1, "geometry"] = bowtie
    write_layer(frame, imported / "layers" / "parcels", fmt="geojson")
    msg = _refused(imported, GeometryError, "'P2'", "Self-intersection", "--repair")
    assert "P1" not in msg.split("invalid")[1]

    before = store_state(store_location(imported))
    result = runner.invoke(cli, ["import", "-p", str(imported)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert store_state(store_location(imported)) == before

    # the bow-tie is two triangles of 50 m × 100 m / 2 = 2,500 m² each; shoelace gives 0:
    # the repair adds 5,000 m² (7.5 亩), beyond the default tolerance, so it is refused
    result = runner.invoke(cli, ["import", "-p", str(imported), "--repair"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "+5,000.00 m²" in result.output and "+7.5000 亩" in result.output
    assert "--repair-tolerance" in result.output
    assert store_state(store_location(imported)) == before

    args = ["import", "-p", str(imported), "--repair", "--repair-tolerance", "5000.5", "--json"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    (repair,) = out["repairs"]
    assert repair["id"] == "P2"
    assert repair["area_before"] == pytest.approx(0.0, abs=1e-6)
    assert repair["area_after"] == pytest.approx(5_000.0, rel=1e-9)
    assert repair["changed_mu"] == pytest.approx(7.5, rel=1e-9)
    stored = read_back(store_location(imported), "parcels")
    assert stored.geometry.is_valid.all()


@pytest.mark.parametrize(
    ("change", "needles"),
    [
        ("dup", ("duplicate id", "'P1' at #1, #2", "parcels.geojson")),
        ("empty_id", ("empty id", "#3")),
        ("no_field", ("用地面积", "[layers.parcels.fields]", "not in the source")),
        ("bad_date", ("'P2'", "allocated_on", "供地日期", "2023-02-30")),
        ("empty_geom", ("empty geometry", "'P4'")),
        ("lines", ("LineString", "Polygon")),
        ("empty_layer", ("layer is empty",)),
    ],
)
def test_bad_layers_are_refused_and_store_kept(imported, change, needles):
    frame = parcels_frame()
    if change == "dup":
        frame.loc[1, "地块编号"] = "P1"
    elif change == "empty_id":
        frame.loc[2, "地块编号"] = ""
    elif change == "no_field":
        frame = frame.drop(columns=["用地面积"])
    elif change == "bad_date":
        frame.loc[1, "供地日期"] = "2023-02-30"
    elif change == "empty_geom":
        frame.loc[3, "geometry"] = shapely.Polygon()
    elif change == "lines":
        frame = frame.set_geometry(frame.geometry.boundary)
    elif change == "empty_layer":
        frame = frame.iloc[0:0]
    write_layer(
        frame, imported / "layers" / "parcels", fmt="gpkg" if change == "empty_layer" else "geojson"
    )
    if change == "empty_layer":
        (imported / "park.toml").write_text(
            manifest_text("layers/parcels.gpkg", layer="地块"), encoding="utf-8"
        )
    _refused(imported, (LayerReadError, GeometryError), *needles)


def test_missing_required_id_field_names_the_key(imported):
    (imported / "park.toml").write_text(
        manifest_text("layers/parcels.geojson").replace('id = "地块编号"', 'id = "编号"'),
        encoding="utf-8",
    )
    _refused(imported, LayerReadError, "'编号'", "[layers.parcels] id")


def test_cli_refusal_exit_code_and_message(imported, runner):
    frame = parcels_frame()
    frame.loc[1, "地块编号"] = "P1"
    write_layer(frame, imported / "layers" / "parcels", fmt="geojson")
    before = store_state(store_location(imported))
    result = runner.invoke(cli, ["import", "-p", str(imported)])
    assert result.exit_code == 2
    assert "duplicate id" in result.output and "Traceback" not in result.output
    assert store_state(store_location(imported)) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-01-05", "2023-01-05"),
        ("2023/1/5", "2023-01-05"),
        ("2023.1.5", "2023-01-05"),
        ("2023年1月5日", "2023-01-05"),
        ("20230105", "2023-01-05"),
        ("", None),
        ("2023-01-05 08:30", "2023-01-05"),
    ],
)
def test_parse_date(text, expected):
    d = parse_date(text)
    assert (d.isoformat() if d else None) == expected


@pytest.mark.parametrize("text", ["2023-13-01", "2023-02-29", "yesterday", "5/1/2023"])
def test_parse_date_refuses(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_parse_number():
    assert parse_number("1,234.5") == 1234.5
    assert parse_number("１２．５") == 12.5
    assert parse_number("") is None
    with pytest.raises(ValueError):
        parse_number("十二")


def test_reprojection_keeps_area_against_independent_transform(tmp_path):
    """The stored area of a parcel drawn in degrees equals an independent pyproj projection."""
    frame = parcels_frame().to_crs("EPSG:4490")
    project = _project(tmp_path, frame, "fgb")
    manifest = load_manifest(project)
    import_project(manifest, open_store(manifest))
    t = Transformer.from_crs("EPSG:4490", "EPSG:4544", always_xy=True)
    ring = np.asarray(frame.geometry.iloc[2].exterior.coords)
    x, y = t.transform(ring[:, 0], ring[:, 1])
    expected = shapely.Polygon(np.c_[x, y]).area
    stored = gpd.read_file(manifest.store, layer="parcels").set_index("id")
    assert stored.geometry.loc["P3"].area == pytest.approx(expected, abs=0.01)


def test_missing_dates_read_by_gdal_are_empty_not_nat():
    import pandas as pd

    assert parse_date(pd.NaT) is None
    assert parse_date(pd.Timestamp("2023-05-06")).isoformat() == "2023-05-06"


def test_cli_messages_keep_brackets(imported, runner):
    """Messages name park.toml keys like [layers.parcels]; they must not be eaten as markup."""
    frame = parcels_frame()
    frame.loc[1, "地块编号"] = "P1"
    write_layer(frame, imported / "layers" / "parcels", fmt="geojson")
    result = runner.invoke(cli, ["import", "-p", str(imported)])
    assert result.exit_code == 2
    assert "[layers.parcels]" in result.output


def test_project_parcels_split_at_any_separator_and_stored_as_rows(imported, store_url):
    (imported / "layers" / "projects.csv").write_text(
        'id,name,parcels\nP1,甲,"A-1、A-2"\nP2,乙,\nP3,丙,"B-1；B-2, B-3"\n',
        encoding="utf-8",
    )
    with (imported / "park.toml").open("a", encoding="utf-8") as f:
        f.write('\n[layers.projects]\nkind = "projects"\nsource = "layers/projects.csv"\n')
    use_store(imported, store_url)
    manifest = load_manifest(imported)
    store = open_store(manifest)
    import_project(manifest, store)
    # read with GDAL or psycopg, not the store: one row per parcel a project names
    rows = read_back(manifest.store, "projects__parcels")
    assert rows[["id", "position", "parcels"]].values.tolist() == [
        ["P1", 1, "A-1"],
        ["P1", 2, "A-2"],
        ["P3", 1, "B-1"],
        ["P3", 2, "B-2"],
        ["P3", 3, "B-3"],
    ]
    assert store.read_kind("projects")["parcels"].tolist() == [
        ["A-1", "A-2"],
        [],
        ["B-1", "B-2", "B-3"],
    ]
