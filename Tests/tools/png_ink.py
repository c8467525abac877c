"""Prints the share of a PNG's pixels that are not the page background (white): 0.0 for a blank
screenshot. Standard library only (zlib, struct), 8-bit RGB or RGBA, non-interlaced, as headless
Chromium writes them."""
import struct
import sys
import zlib

data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, width, height, channels = 8, b"", 0, 0, 0
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    chunk = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
        assert depth == 8 and colour in (2, 6) and interlace == 0, "unsupported PNG layout"
        channels = 3 if colour == 2 else 4
    elif kind == b"IDAT":
        idat += chunk
    pos += 12 + length
raw = zlib.decompress(idat)
stride = width * channels
previous = bytearray(stride)
ink = 0
offset = 0
for _ in range(height):
    kind = raw[offset]
    line = bytearray(raw[offset + 1:offset + 1 + stride])
    offset += 1 + stride
    for i in range(stride):
        left = line[i - channels] if i >= channels else 0
        up = previous[i]
        upper_left = previous[i - channels] if i >= channels else 0
        if kind == 1:
            line[i] = (line[i] + left) & 255
        elif kind == 2:
            line[i] = (line[i] + up) & 255
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 255
        elif kind == 4:
            p = left + up - upper_left
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - upper_left)
            predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else upper_left)
            line[i] = (line[i] + predictor) & 255
    for x in range(width):
        r, g, b = line[x * channels], line[x * channels + 1], line[x * channels + 2]
        if r < 240 or g < 240 or b < 240:
            ink += 1
    previous = line
print(f"{ink / (width * height):.4f}")
