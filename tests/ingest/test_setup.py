"""`parkgeo init --from`: a park built from its own files imports as it is.

The expected working CRS of each case is worked out from the data's centre longitude by
hand (zone = round(lon / 3), EPSG:4534 + zone − 25 in China; UTM zone = ⌊(lon + 180) / 6⌋ + 1
elsewhere).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import CRS, Geod

from geo.cli import cli
from geo.ingest.setup import guess_project
from tests.conftest import parcels_frame, realdata, write_layer, zones_frame


def _sources(tmp_path, *, shift=0.0):
    src = tmp_path / "src"
    parcels = parcels_frame().rename(columns={"用地面积": "出让面积(亩)"}).to_crs("EPSG:4490")
    zones = zones_frame().to_crs("EPSG:4490")
    for frame in (parcels, zones):
        frame["geometry"] = shapely.transform(
            frame.geometry.array, lambda c: c + np.array([shift, 0.0])
        )
    return [
        write_layer(parcels, src / "宗地", fmt="shp"),
        write_layer(zones, src / "片区", fmt="geojson"),
    ]


# GDAL reports the cut field name in GBK, which pyogrio cannot decode while writing
WRITE_NOISE = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@WRITE_NOISE
def test_init_from_guesses_kinds_fields_and_crs_and_imports(tmp_path, runner):
    files = _sources(tmp_path)
    park = tmp_path / "park"
    args = ["init", str(park), *[a for f in files for a in ("--from", str(f))]]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    manifest = tomllib.loads((park / "park.toml").read_text(encoding="utf-8"))
    # the parcels lie at ~105.09°E: zone 35, EPSG:4534 + 10 = EPSG:4544
    assert manifest["park"]["crs"] == "EPSG:4544"
    assert "as_of" not in manifest["park"]  # not frozen to the day init ran
    parcels = manifest["layers"]["parcels"]
    assert parcels["id"] == "地块编号" and parcels["source"] == "layers/宗地.shp"
    # GBK .dbf names hold 10 bytes: 出让面积(亩) is cut to 出让面积( and still recognised
    assert parcels["fields"] == {
        "所属片区": "zone",
        "用地性质": "land_use",
        "出让面积(": "declared_area_mu",
        "供地日期": "allocated_on",
    }
    assert "10 bytes" in (park / "park.toml").read_text(encoding="utf-8")
    assert manifest["layers"]["zones"]["fields"] == {"片区名称": "name"}
    assert (park / "layers" / "宗地.dbf").exists() and (park / "layers" / "宗地.prj").exists()

    result = runner.invoke(cli, ["import", "-p", str(park), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["warnings"] == []
    stored = pyogrio.read_dataframe(park / "park.gpkg", layer="parcels").set_index("id")
    assert list(stored["declared_area_mu"]) == [30.0, 45.0, 90.0, 15.0]


@WRITE_NOISE
def test_init_from_picks_the_zone_of_the_data(tmp_path, runner):
    files = _sources(tmp_path, shift=12.0)  # ~117.09°E: zone 39, EPSG:4548
    park = tmp_path / "park"
    result = runner.invoke(cli, ["init", str(park), "--from", str(files[0])])
    assert result.exit_code == 0, result.output
    manifest = tomllib.loads((park / "park.toml").read_text(encoding="utf-8"))
    assert manifest["park"]["crs"] == "EPSG:4548"


def test_init_refuses_an_existing_manifest_and_missing_files(tmp_path, runner):
    result = runner.invoke(cli, ["init", str(tmp_path), "--from", str(tmp_path / "nope.shp")])
    assert result.exit_code == 2 and "nope.shp" in result.output
    assert not (tmp_path / "park.toml").exists()


def test_real_gbk_shapefile_province(tmp_path):
    # geotools' chinese_poly: one GBK polygon (黑龙江省, ~121–135°E), no .cpg, WGS 84 .prj
    shp = realdata("encodings", "chinese_poly.shp")
    guess = guess_project([shp])
    (source,) = guess.sources
    assert source.geometry == "polygon" and source.crs == "EPSG:4326"
    lon = (source.lonlat[0] + source.lonlat[2]) / 2
    assert guess.crs == f"EPSG:{4534 + round(lon / 3) - 25}"


@pytest.mark.parametrize(("lon", "lat", "expected"), [(-74.0, 40.7, "EPSG:32618")])
def test_outside_china_the_utm_zone_is_chosen(tmp_path, lon, lat, expected):
    frame = parcels_frame().to_crs("EPSG:4326")
    frame["geometry"] = [shapely.box(lon, lat, lon + 0.001, lat + 0.001)] * len(frame)
    path = write_layer(frame, tmp_path / "parcels", fmt="geojson")
    assert guess_project([path]).crs == expected


# Natural Earth 1:110m countries (public domain, naturalearthdata.com), as shipped by pyogrio
NATURAL_EARTH = (
    Path(pyogrio.__file__).parent / "tests" / "fixtures" / "naturalearth_lowres"
) / "naturalearth_lowres.shp"


def natural_earth() -> Path:
    if not NATURAL_EARTH.exists():
        pytest.skip(f"{NATURAL_EARTH} is not here (this pyogrio ships no test fixtures)")
    return NATURAL_EARTH


# the guard measures the projected inf coordinates too (shapely warns)
@pytest.mark.filterwarnings("ignore:invalid value encountered in area:RuntimeWarning")
def test_init_from_world_countries_is_refused_clearly_until_an_id_is_mapped(tmp_path, runner):
    park = tmp_path / "park"
    result = runner.invoke(cli, ["init", str(park), "--from", str(natural_earth())])
    assert result.exit_code == 0, result.output
    text = (park / "park.toml").read_text(encoding="utf-8")
    manifest = tomllib.loads(text)
    # bounds -180..180°E, -90..83.6°N: centre (0°E, -3.2°N) lies outside China, so the UTM
    # zone of the centre, floor((0 + 180) / 6) + 1 = 31, south: EPSG:32700 + 31
    assert manifest["park"]["crs"] == "EPSG:32731"
    (layer,) = manifest["layers"].values()
    assert layer["kind"] == "zones" and layer["fields"] == {"name": "name"}
    assert "no field for id" in text  # what was not guessed is said, in the file too
    result = runner.invoke(cli, ["import", "-p", str(park)])
    # no Chinese id field: refused, saying which field is missing and where to map it
    assert result.exit_code == 2, result.output
    assert "id (编号) missing" in result.output and "[layers.zones.fields]" in result.output
    assert "Traceback" not in result.output and not (park / "park.gpkg").exists()

    # with an id mapped, the countries far from UTM 31S cannot be projected into it; that
    # is the working CRS's fault, not the data's: said so, with each feature's own zone
    toml = park / "park.toml"
    toml.write_text(
        text.replace("[layers.zones.fields]", 'id = "iso_a3"\n[layers.zones.fields]'),
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["import", "-p", str(park)])
    assert result.exit_code == 2, result.output
    out = " ".join(result.output.split())
    assert "无效几何" not in out and "--repair" not in out  # the source geometry is valid
    # Indonesia's centroid (117.4°E, 2.2°S): UTM floor((117.4 + 180) / 6) + 1 = 50 south
    assert "'IDN' is valid as read but not once projected into the working CRS EPSG:32731" in out
    assert "zone of its centre (EPSG:32750)" in out
    assert "'-99' at #22" in out  # the other problem of the run, in the same report
    assert not (park / "park.gpkg").exists()


def _gk_epsg(zone: int) -> int:
    """EPSG of the CGCS2000 3° GK zone *zone* (no prefix), checked by its name in PROJ."""
    prefixed, plain = CRS.from_epsg(4513 + zone - 25), CRS.from_epsg(4534 + zone - 25)
    assert prefixed.name == f"CGCS2000 / 3-degree Gauss-Kruger zone {zone}"
    assert plain.name == f"CGCS2000 / 3-degree Gauss-Kruger CM {3 * zone}E"
    return 4534 + zone - 25


def test_working_crs_guard_on_a_real_country_names_its_zone(tmp_path, runner):
    world = pyogrio.read_dataframe(natural_earth())
    korea = world[world["iso_a3"] == "KOR"][["iso_a3", "name", "geometry"]]
    korea = korea.rename(columns={"iso_a3": "片区编号", "name": "片区名称"}).to_crs("EPSG:4326")
    (tmp_path / "layers").mkdir()
    korea.to_file(tmp_path / "layers" / "korea.gpkg", driver="GPKG")
    (tmp_path / "park.toml").write_text(
        '[park]\nname = "韩国"\ncrs = "EPSG:4544"\n\n[layers.zones]\nkind = "zones"\n'
        'source = "layers/korea.gpkg"\nid = "片区编号"\n'
        '[layers.zones.fields]\n"片区名称" = "name"\n',
        encoding="utf-8",
    )
    # centroid 127.82°E: zone round(127.9 / 3) = 43, CM 129°E, EPSG:4552
    lon = korea.geometry.iloc[0].centroid.x
    zone = round(lon / 3)
    assert zone == 43 and _gk_epsg(zone) == 4552
    # planar area in CM 105°E (22° west of Korea) against the GRS 80 geodesic area
    geod = Geod(ellps="GRS80")
    geodesic = abs(geod.geometry_area_perimeter(shapely.orient_polygons(korea.geometry.iloc[0]))[0])
    planar = float(korea.to_crs("EPSG:4544").area.iloc[0])
    share = planar / geodesic - 1
    # by hand: scale k ≈ 1 + (Δλ·cos φ)² / 2 at Δλ ≈ 23°, φ ≈ 36°: k ≈ 1.052, area k² ≈ +10.7%
    # (measured: +10.84%; in its own zone EPSG:4552 +0.04%)
    assert 0.08 < share < 0.14

    result = runner.invoke(cli, ["import", "-p", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    warnings = json.loads(result.stdout)["warnings"]
    text = " ".join(warnings)
    assert f"use crs = 'EPSG:{_gk_epsg(zone)}'" in text, warnings
    assert f"{share:+.2%} off their geodesic areas" in text, warnings
    assert "beyond the edge of the working CRS EPSG:4544" in text, warnings
    # in its own zone the guard is quiet (within the ±0.1% limit)
    toml = tmp_path / "park.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("4544", "4552"), encoding="utf-8")
    result = runner.invoke(cli, ["import", "-p", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["warnings"] == []


def test_init_from_the_real_gbk_shapefile_decodes_and_imports_once_an_id_is_mapped(
    tmp_path, runner
):
    # geotools' chinese_poly (no .cpg): NAME 黑龙江省 in GBK, ADCODE93/ADCODE99 230000
    shp = realdata("encodings", "chinese_poly.shp")
    park = tmp_path / "park"
    result = runner.invoke(cli, ["init", str(park), "--from", str(shp)])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    # bounds 121.18..135.08°E: centre 128.13°E, zone round(128.13 / 3) = 43
    assert f"working CRS: EPSG:{_gk_epsg(43)}" in out
    text = (park / "park.toml").read_text(encoding="utf-8")
    manifest = tomllib.loads(text)
    assert manifest["park"]["crs"] == "EPSG:4552"
    (layer,) = manifest["layers"].values()
    assert layer["kind"] == "zones" and layer["fields"] == {"NAME": "name"}
    assert "text encoding gb18030 (no .cpg" in text and "no field for id" not in text
    # no field named as an id: ADCODE93 (a "code", one value per feature) is taken, and said
    assert layer["id"] == "ADCODE93" and "'ADCODE93' has a value of its own" in text
    # the park.toml written imports as it is
    result = runner.invoke(cli, ["import", "-p", str(park), "--json"])
    assert result.exit_code == 0, result.output
    stored = pyogrio.read_dataframe(park / "park.gpkg", layer="zones")
    assert list(stored["id"]) == ["230000"] and list(stored["name"]) == ["黑龙江省"]


@pytest.mark.parametrize(
    ("name", "like"),
    [
        ("ADCODE99", True),
        ("zone_id", True),
        ("地块编号X", True),
        ("ZD_DM", True),
        ("valid", False),
        ("width", False),
        ("NAME", False),
        ("iso_a3", False),
    ],
)
def test_a_field_is_taken_as_the_id_only_when_named_like_one(name, like):
    from geo.ingest.setup import _id_like

    assert _id_like(name) is like
