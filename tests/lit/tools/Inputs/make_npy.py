"""Writes small .npy files for kiln-run's tests, without NumPy.

  make_npy.py OUT DESCR SHAPE VALUES [--variant NAME]

SHAPE is like 4x2 (or "scalar"), VALUES comma-separated numbers. A variant
breaks the file in one way: bad-magic, version-9, fortran, no-newline,
extra-key, truncated, trailing-bytes, huge-header.
"""
import argparse
import struct

FORMATS = {"<f4": "<f", "<f8": "<d", "<i4": "<i", "<i8": "<q", "|u1": "<B",
           "|b1": "<B", ">f4": ">f", "<c8": "<ff"}


def header_text(descr, shape, fortran, extra):
    dims = "()" if not shape else "(%s,)" % shape[0] if len(shape) == 1 else \
        "(%s)" % ", ".join(str(d) for d in shape)
    text = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, %s}" % (
        descr, "True" if fortran else "False", dims, extra)
    return text


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("descr")
    parser.add_argument("shape")
    parser.add_argument("values")
    parser.add_argument("--variant", default="")
    args = parser.parse_args()
    shape = [] if args.shape == "scalar" else [int(d) for d in args.shape.split("x")]
    values = [float(v) for v in args.values.split(",")] if args.values else []
    if args.descr in ("<i4", "<i8", "|u1", "|b1"):
        values = [int(v) for v in values]
    fmt = FORMATS[args.descr]
    data = b"".join(struct.pack(fmt, *([v] * (len(fmt) - 1))) for v in values)

    variant = args.variant
    header = header_text(args.descr, shape, variant == "fortran",
                         "'extra': 1, " if variant == "extra-key" else "")
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64)
    header += "" if variant == "no-newline" else "\n"
    magic = b"\x93NUMPX" if variant == "bad-magic" else b"\x93NUMPY"
    version = b"\x09\x00" if variant == "version-9" else b"\x01\x00"
    length = 60000 if variant == "huge-header" else len(header)
    blob = magic + version + struct.pack("<H", length) + header.encode("latin1") + data
    if variant == "truncated":
        blob = blob[:-3]
    if variant == "trailing-bytes":
        blob += b"\0\0\0\0"
    with open(args.out, "wb") as out:
        out.write(blob)


if __name__ == "__main__":
    main()
