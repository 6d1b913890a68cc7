"""Writes a serialized ONNX TensorProto of float32 values, without the onnx
package (the fields are encoded by hand: dims = 1, data_type = 2 (FLOAT = 1),
name = 8, raw_data = 9).

  make_tensor_proto.py OUT NAME SHAPE VALUES     # SHAPE like 4x2
"""
import struct
import sys


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def field(number, wire_type):
    return varint(number << 3 | wire_type)


def main():
    out, name, shape, values = sys.argv[1:5]
    dims = [int(d) for d in shape.split("x")]
    raw = b"".join(struct.pack("<f", float(v)) for v in values.split(","))
    proto = b"".join(field(1, 0) + varint(d) for d in dims)
    proto += field(2, 0) + varint(1)
    proto += field(8, 2) + varint(len(name)) + name.encode()
    proto += field(9, 2) + varint(len(raw)) + raw
    with open(out, "wb") as stream:
        stream.write(proto)


if __name__ == "__main__":
    main()
