#!/usr/bin/env python3
"""Writes the hand-made seed corpus of the fuzzers (tests/fuzz/corpus/); run from anywhere.

geojson_import/: GeoJSON texts for FuzzGeoJsonImport. region_index/: the byte layout that
FuzzRegionIndexLookup decodes (see the comment at the top of region_index_fuzz.cc).
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def square(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def feature(fid, level, rings, kind="Polygon", **props):
    p = {"id": fid, "level": level}
    p.update(props)
    return {"type": "Feature", "properties": p,
            "geometry": {"type": kind, "coordinates": rings}}


def fc(*features):
    return {"type": "FeatureCollection", "features": list(features)}


D = square(113.6, 34.7, 113.7, 34.8)
W = square(113.6, 34.7, 113.65, 34.8)
E = square(113.65, 34.7, 113.7, 34.8)
CHAIN = [feature("d1", "district", [D]), feature("d1/s1", "street", [D]),
         feature("d1/s1/c1", "community", [D])]

GEOJSON = {
    "valid_tree.json": fc(*CHAIN, feature("d1/s1/c1/g1", "grid", [W]),
                          feature("d1/s1/c1/g2", "grid", [E])),
    "replace_grids.json": fc(feature("d1/s1/c1/g1", "grid", [square(113.6, 34.7, 113.66, 34.8)]),
                             feature("d1/s1/c1/g2", "grid", [square(113.66, 34.7, 113.7, 34.8)])),
    "new_grid_in_stored.json": fc(feature("d1/s1/c1/g3", "grid",
                                          [square(113.62, 34.72, 113.63, 34.73)])),
    "second_district.json": fc(feature("d2", "1", [square(113.7, 34.7, 113.8, 34.8)],
                                       name="金水区", parent="")),
    "multipolygon_hole.json": fc(feature("d3", "district", [[D, [[113.62, 34.72], [113.62, 34.78],
                                                                 [113.68, 34.78], [113.68, 34.72],
                                                                 [113.62, 34.72]]],
                                                            [square(113.8, 34.7, 113.9, 34.8)]],
                                         kind="MultiPolygon")),
    "bowtie.json": fc(feature("d4", "district", [[[113.6, 34.7], [113.7, 34.8], [113.7, 34.7],
                                                  [113.6, 34.8], [113.6, 34.7]]])),
    "hole_outside.json": fc(feature("d5", "district", [D, square(113.8, 34.7, 113.9, 34.8)])),
    "spike_and_repeats.json": fc(feature("d6", "district", [[[113.6, 34.7], [113.7, 34.7],
                                                             [113.7, 34.7], [113.75, 34.75],
                                                             [113.7, 34.7], [113.7, 34.8],
                                                             [113.6, 34.8], [113.6, 34.7]]])),
    "overlap_and_outside.json": fc(*CHAIN, feature("d1/s1/c1/g1", "grid",
                                                   [square(113.59, 34.7, 113.66, 34.8)]),
                                   feature("d1/s1/c1/g2", "grid", [E])),
    "out_of_range.json": fc(feature("d7", "district", [square(179.9, 89.9, 180.1, 90.1)])),
    "unclosed_and_short.json": fc(feature("d8", "district", [[[113.6, 34.7], [113.7, 34.7],
                                                              [113.7, 34.8]]]),
                                  feature("d9", "district", [[[113.6, 34.7], [113.7, 34.7]]])),
    "bad_ids.json": fc(feature("D1", "district", [D]), feature("d1//x", "street", [D]),
                       feature("a" * 40, "district", [D]), feature("d1/s1", "town", [D]),
                       feature("d1", "district", [D]), feature("d1", "district", [D])),
}
RAW = {
    "bare_polygon.json": json.dumps({"type": "Polygon", "coordinates": [D]}),
    "single_feature_numeric_id.json": json.dumps(
        {"type": "Feature", "id": 42, "properties": {"level": "district", "x": [1, {"a": None}]},
         "geometry": {"type": "Polygon", "coordinates": [D]}}),
    "huge_numbers.json": '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
                         '{"id":"d1","level":"district","n":1e99999},"geometry":{"type":"Polygon",'
                         '"coordinates":[[[1e308,34.7],[-1e308,34.7],[1e400,-1e400],'
                         '[123456789012345678901234567890,0.0000000000000000000001],[1e308,34.7]]]}}]}',
    "nan_literals.json": '{"type":"Polygon","coordinates":[[[NaN,1],[Infinity,2],[-Infinity,3],[NaN,1]]]}',
    "unicode.json": '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
                    '{"id":"d\\u00e91","level":"district","name":"\\u91d1\\u6c34\\u533a \\ud83d\\ude00",'
                    '"bad":"\\ud800","raw":"\xe9\xfe\xff"},"geometry":{"type":"Polygon","coordinates":'
                    + json.dumps([D]) + '}}]}',
    "truncated.json": json.dumps(fc(*CHAIN))[:300],
    "deep_nesting.json": '{"type":"Polygon","coordinates":' + "[" * 3000 + "]" * 3000 + "}",
    "deep_properties.json": '{"type":"Feature","properties":{"id":"d1","level":"district","p":'
                            + '{"a":' * 2000 + "1" + "}" * 2000 + '},"geometry":{"type":"Polygon",'
                            '"coordinates":' + json.dumps([D]) + '}}',
    "wrong_types.json": '{"type":"FeatureCollection","features":[{"type":"Feature","properties":null,'
                        '"geometry":null},{"type":"Feature","geometry":{"type":"Point","coordinates":'
                        '[1,2]}},{"type":"Feature","geometry":{"type":"GeometryCollection",'
                        '"geometries":[]}},{"type":"Feature","geometry":{"type":"Polygon","coordinates":'
                        '"x"}},{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[1,"2"],'
                        '[true,null],[1],[1,2,3,4]]]}},7,[],"s"]}',
    "empty_collection.json": '{"type":"FeatureCollection","features":[]}',
    "not_json.json": "\x00\xff{[\"",
}


def coord(t):
    return bytes([t])


def raw(v):
    return b"\xf8" + struct.pack("<d", v)


def lat(i):  # lattice coordinate i (-124..123)
    return coord(i + 124)


def ring(points):
    out = bytes([len(points) - 3])
    for x, y in points:
        out += (x if isinstance(x, bytes) else lat(x)) + (y if isinstance(y, bytes) else lat(y))
    return out


def sq(x0, y0, x1, y1):
    return ring([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])


def queries(points):
    return b"".join((x if isinstance(x, bytes) else lat(x)) + (y if isinstance(y, bytes) else lat(y))
                    for x, y in points)


GRID_QUERIES = queries([(x, y) for x in range(-12, 13, 3) for y in range(-12, 13, 3)])
# head: bits 0-1 regions - 1, bits 2-3 lattice; knobs: leaf edges, depth, cells per edge.
REGION_INDEX = {
    "two_squares_1e-3": bytes([0x01 | 1 << 2, 0x05 | 12 << 3]) + b"\x00" + sq(-10, -10, 0, 10)
                        + b"\x00" + sq(0, -10, 10, 10) + GRID_QUERIES,
    "square_with_hole_1024": bytes([0x00 | 2 << 2, 0x05 | 12 << 3]) + b"\x01" + sq(-10, -10, 10, 10)
                             + sq(-5, -5, 5, 5) + GRID_QUERIES,
    "two_parts_lattice_half": bytes([0x00, 0x01 | 3 << 3]) + b"\x03" + sq(-10, -10, 0, 0)
                              + sq(1, 1, 10, 10) + GRID_QUERIES,
    "bowtie_1e-7": bytes([0x00 | 3 << 2, 0x86]) + b"\x00" + ring([(-10, -10), (10, 10), (10, -10), (-10, 10)])
                   + GRID_QUERIES,
    "four_triangles": bytes([0x03 | 1 << 2, 0x02 | 8 << 3]) + b"".join(
        b"\x00" + ring(t) for t in [[(0, 0), (10, 0), (0, 10)], [(0, 0), (0, 10), (-10, 0)],
                                    [(0, 0), (-10, 0), (0, -10)], [(0, 0), (0, -10), (10, 0)]])
                      + GRID_QUERIES,
    "nan_vertex": bytes([0x00 | 1 << 2, 0x05]) + b"\x00" + ring([(0, 0), (raw(float("nan")), 0), (0, 10)]),
    "huge_extent": bytes([0x01, 0x05 | 12 << 3]) + b"\x00" + ring([(raw(-1.7e308), raw(-1e300)), (raw(1.7e308), 0),
                                                                    (0, raw(1e300))])
                   + b"\x00" + sq(-1, -1, 1, 1) + queries([(raw(1e300), raw(-1e300)), (0, 0)]),
    "tiny_square": bytes([0x00 | 3 << 2, 0x00 | 15 << 3]) + b"\x00" + sq(0, 0, 1, 1)
                   + queries([(raw(113.6 + 5e-8), raw(34.7 + 5e-8))]),
    "ordinal_limit": bytes([0x01 | 1 << 2 | 0x10 | 0x20, 0x05]) + b"\x00" + sq(0, 0, 5, 5) + b"\x00" + sq(5, 0, 10, 5),
    "denormal_and_inf": bytes([0x00, 0x05]) + b"\x00" + ring([(raw(5e-324), raw(-5e-324)), (raw(1e-300), 0),
                                                                (0, raw(1e-300))])
                        + queries([(raw(float("inf")), 0), (raw(1e-310), raw(1e-310))]),
}


def main():
    gdir = os.path.join(HERE, "corpus", "geojson_import")
    rdir = os.path.join(HERE, "corpus", "region_index")
    os.makedirs(gdir, exist_ok=True)
    os.makedirs(rdir, exist_ok=True)
    for name, doc in GEOJSON.items():
        with open(os.path.join(gdir, name), "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
    for name, text in RAW.items():
        with open(os.path.join(gdir, name), "wb") as f:
            f.write(text.encode("latin-1"))  # \xNN in the text = that raw byte
    for name, data in REGION_INDEX.items():
        with open(os.path.join(rdir, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
