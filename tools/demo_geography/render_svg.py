#!/usr/bin/env python3
"""Draws one district of gridwork-demo-geo's output as SVG, to check it looks like a map.

  python3 tools/demo_geography/render_svg.py data/demo/zhengzhou-regions.geojson 410105 out.svg
  rsvg-convert -w 1600 out.svg -o out.png      # Debian: librsvg2-bin

Grids are filled by community (one hue per street, varied per community), grid borders thin,
community borders medium, street borders thick, the district border black.
"""
import colorsys
import hashlib
import json
import math
import sys


def rings(geometry):
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    return [r for poly in geometry["coordinates"] for r in poly]


def main():
    src, prefix, out = sys.argv[1], sys.argv[2], sys.argv[3]
    width = float(sys.argv[4]) if len(sys.argv) > 4 else 1200.0
    feats = [f for f in json.load(open(src, encoding="utf-8"))["features"]
             if f["id"] == prefix or f["id"].startswith(prefix + "/")]
    pts = [p for f in feats for r in rings(f["geometry"]) for p in r]
    x0, x1 = min(p[0] for p in pts), max(p[0] for p in pts)
    y0, y1 = min(p[1] for p in pts), max(p[1] for p in pts)
    k = math.cos(math.radians((y0 + y1) / 2))
    scale = width / ((x1 - x0) * k)
    height = (y1 - y0) * scale

    def path(geometry):
        d = []
        for r in rings(geometry):
            d.append("M" + " L".join("%.1f,%.1f" % ((x - x0) * k * scale, (y1 - y) * scale)
                                     for x, y in r) + "Z")
        return " ".join(d)

    def hue(s):
        return int(hashlib.md5(s.encode()).hexdigest()[:6], 16) / float(0xFFFFFF)

    out_lines = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d">' % (width, height),
                 '<rect width="100%" height="100%" fill="white"/>']
    style = {"grid": 'stroke="#555" stroke-width="0.4"',
             "community": 'fill="none" stroke="#222" stroke-width="1.2"',
             "street": 'fill="none" stroke="#000" stroke-width="2.6"',
             "district": 'fill="none" stroke="#000" stroke-width="4"'}
    for level in ("grid", "community", "street", "district"):
        for f in feats:
            if f["properties"]["level"] != level:
                continue
            attrs = style[level]
            if level == "grid":
                parts = f["id"].split("/")
                h = hue("/".join(parts[:2]))
                light = 0.55 + 0.3 * hue("/".join(parts[:3]))
                r, g, b = colorsys.hls_to_rgb(h, light, 0.55)
                attrs += ' fill="#%02x%02x%02x"' % (int(r * 255), int(g * 255), int(b * 255))
            out_lines.append('<path d="%s" %s fill-rule="evenodd"/>' % (path(f["geometry"]), attrs))
    out_lines.append("</svg>")
    open(out, "w").write("\n".join(out_lines))


if __name__ == "__main__":
    main()
