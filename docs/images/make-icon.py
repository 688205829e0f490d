#!/usr/bin/env python3
"""Draws the packages' icon, docs/images/icon.png: an encoder narrowing to a latent code and a decoder widening again.

Standard library only (zlib, struct), so it runs anywhere python3 does: python3 docs/images/make-icon.py
"""
import os
import struct
import zlib

SIZE = 128
SAMPLES = 4  # per axis: each pixel is the mean of 4 x 4 points, which smooths the slanted edges

BACKGROUND = (31, 59, 87)
ENCODER = (79, 195, 247)
DECODER = (129, 199, 132)
LATENT = (245, 166, 35)


def inside_rounded_square(x, y, radius=22):
    cx = min(max(x, radius), SIZE - radius)
    cy = min(max(y, radius), SIZE - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def inside_trapezoid(x, y, x0, x1, half0, half1):
    """Between x0 and x1, centred on the middle row, half-height going linearly from half0 to half1."""
    if not x0 <= x <= x1:
        return False
    half = half0 + (half1 - half0) * (x - x0) / (x1 - x0)
    return abs(y - SIZE / 2) <= half


def colour(x, y):
    if not inside_rounded_square(x, y):
        return None
    if inside_trapezoid(x, y, 16, 54, 46, 12):
        return ENCODER
    if inside_trapezoid(x, y, 74, 112, 12, 46):
        return DECODER
    if 57 <= x <= 71 and abs(y - SIZE / 2) <= 8:
        return LATENT
    return BACKGROUND


def pixel(px, py):
    red = green = blue = alpha = 0
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            c = colour(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES)
            if c is not None:
                red, green, blue, alpha = red + c[0], green + c[1], blue + c[2], alpha + 1
    if alpha == 0:
        return (0, 0, 0, 0)
    # Colour averaged over the covered samples (straight alpha), coverage as opacity.
    return (red // alpha, green // alpha, blue // alpha, 255 * alpha // (SAMPLES * SAMPLES))


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def main():
    rows = b"".join(b"\x00" + bytes(v for px in range(SIZE) for v in pixel(px, py)) for py in range(SIZE))
    png = (b"\x89PNG\r\n\x1a\n"
           + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(rows, 9))
           + chunk(b"IEND", b""))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "icon.png")
    with open(path, "wb") as file:
        file.write(png)
    print(f"wrote {path}: {SIZE}x{SIZE}, {len(png)} bytes")


if __name__ == "__main__":
    main()
