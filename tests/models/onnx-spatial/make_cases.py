#!/usr/bin/python3
"""Writes ONNX test cases of the spatial family whose size inputs are constants.

The ONNX backend test data passes STFT's frame_step, MaxUnpool's output_shape, the
window ops' size and MelWeightMatrix's scalars as graph inputs, so their output
shapes depend on data and Kiln (static shapes) reports them as unsupported. Models
usually hold these as constants; these cases do, in the layout kiln-onnx-test reads
(OUT/NAME/model.onnx, OUT/NAME/test_data_set_0/{input,output}_*.pb). Expected
outputs come from NumPy (np.fft for the transforms, the ONNX documentation's
formulas for windows and mel filters, plain loops for pooling), computed in double
precision; inputs are seeded random numbers.

  /usr/bin/python3 make_cases.py OUT
"""
import os
import sys

import numpy as np
import onnx
from onnx import helper, mapping, numpy_helper

RNG = np.random.default_rng(20261127)


def constant(name, value):
    """A Constant node producing `value` as `name`."""
    return helper.make_node("Constant", [], [name],
                            value=numpy_helper.from_array(np.asarray(value), name))


def write_case(out, name, nodes, inputs, outputs, initializers=()):
    """`inputs` and `outputs` are (name, array) pairs; arrays fix types and shapes."""
    def value_info(pair):
        array = pair[1]
        return helper.make_tensor_value_info(
            pair[0], mapping.NP_TYPE_TO_TENSOR_TYPE[array.dtype], array.shape)

    graph = helper.make_graph(nodes, name, [value_info(i) for i in inputs],
                              [value_info(o) for o in outputs],
                              initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="kiln-tests")
    onnx.checker.check_model(model)
    folder = os.path.join(out, name)
    data = os.path.join(folder, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    onnx.save(model, os.path.join(folder, "model.onnx"))
    for kind, pairs in (("input", inputs), ("output", outputs)):
        for index, (_, array) in enumerate(pairs):
            with open(os.path.join(data, f"{kind}_{index}.pb"), "wb") as f:
                f.write(numpy_helper.from_array(array).SerializeToString())


def complex_to_pairs(values):
    return np.stack((values.real, values.imag), axis=-1).astype(np.float32)


def stft_cases(out):
    # frame_step and frame_length from Constant nodes, onesided. (ONNX 1.12's shape
    # inference takes a missing onesided as 0, against the operator's default of
    # 1: the attribute is explicit here.)
    signal = RNG.standard_normal((2, 64, 1)).astype(np.float32)
    step, length = 8, 16
    frames = (64 - length) // step + 1
    expected = np.stack([
        np.stack([np.fft.fft(signal[b, f * step:f * step + length, 0].astype(np.float64))
                  [:length // 2 + 1] for f in range(frames)]) for b in range(2)])
    write_case(out, "stft_constant_step",
               [constant("step", np.int64(step)), constant("length", np.int64(length)),
                helper.make_node("STFT", ["signal", "step", "", "length"], ["y"],
                                 onesided=1)],
               [("signal", signal)], [("y", complex_to_pairs(expected))])

    # A window given as a graph input, two-sided, odd step.
    signal = RNG.standard_normal((1, 40, 1)).astype(np.float32)
    window = RNG.uniform(0, 1, 10).astype(np.float32)
    step = 7
    frames = (40 - 10) // step + 1
    expected = np.stack([
        np.fft.fft(signal[0, f * step:f * step + 10, 0].astype(np.float64) * window)
        for f in range(frames)])[None]
    write_case(out, "stft_window_twosided",
               [constant("step", np.int64(step)),
                helper.make_node("STFT", ["signal", "step", "window"], ["y"], onesided=0)],
               [("signal", signal), ("window", window)], [("y", complex_to_pairs(expected))])

    # A complex signal (two-sided, as complex input requires).
    signal = RNG.standard_normal((1, 24, 2)).astype(np.float32)
    values = signal[..., 0].astype(np.float64) + 1j * signal[..., 1]
    step, length = 4, 8
    frames = (24 - length) // step + 1
    expected = np.stack([np.fft.fft(values[0, f * step:f * step + length])
                         for f in range(frames)])[None]
    write_case(out, "stft_complex",
               [constant("step", np.int64(step)), constant("length", np.int64(length)),
                helper.make_node("STFT", ["signal", "step", "", "length"], ["y"], onesided=0)],
               [("signal", signal)], [("y", complex_to_pairs(expected))])


def dft_cases(out):
    # dft_length beyond the signal pads it with zeros; onesided.
    x = RNG.standard_normal((2, 5, 3, 1)).astype(np.float32)
    expected = np.fft.rfft(x[..., 0].astype(np.float64), n=8, axis=1)
    write_case(out, "dft_length_padded_onesided",
               [constant("n", np.int64(8)),
                helper.make_node("DFT", ["x", "n"], ["y"], axis=1, onesided=1)],
               [("x", x)], [("y", complex_to_pairs(expected))])

    # dft_length below it cuts it; inverse of a complex signal along axis 2.
    x = RNG.standard_normal((2, 3, 10, 2)).astype(np.float32)
    values = x[..., 0].astype(np.float64) + 1j * x[..., 1]
    expected = np.fft.ifft(values[:, :, :6], axis=2)
    write_case(out, "dft_length_cut_inverse",
               [constant("n", np.int64(6)),
                helper.make_node("DFT", ["x", "n"], ["y"], axis=2, inverse=1)],
               [("x", x)], [("y", complex_to_pairs(expected))])

    # A negative axis counts from the end (-2 is the signal dim before the pair).
    x = RNG.standard_normal((3, 7, 2)).astype(np.float32)
    values = x[..., 0].astype(np.float64) + 1j * x[..., 1]
    write_case(out, "dft_negative_axis",
               [helper.make_node("DFT", ["x"], ["y"], axis=-2)],
               [("x", x)], [("y", complex_to_pairs(np.fft.fft(values, axis=1)))])


def window_cases(out):
    """The window ops are ONNX functions: with a constant size their expansion
    (Range, Cos, ...) has static shapes."""
    size = 12
    n = np.arange(size, dtype=np.float64)
    for op, coefficients in (("HannWindow", (0.5, -0.5)),
                             ("HammingWindow", (25 / 46, -21 / 46)),
                             ("BlackmanWindow", (0.42, -0.5, 0.08))):
        for periodic in (1, 0):
            denominator = size if periodic else size - 1
            y = sum(a * np.cos(2 * np.pi * k * n / denominator)
                    for k, a in enumerate(coefficients))
            name = f"{op.lower()}_constant_size" + ("" if periodic else "_symmetric")
            write_case(out, name,
                       [constant("size", np.int32(size)),
                        helper.make_node(op, ["size"], ["w"], periodic=periodic),
                        helper.make_node("Add", ["w", "x"], ["y"])],
                       [("x", np.zeros(size, np.float32))], [("y", y.astype(np.float32))])


def mel_weight_matrix(bins, length, rate, low, high):
    """The ONNX documentation's reference, in double precision."""
    spectrogram_bins = length // 2 + 1
    to_mel = lambda hertz: 2595 * np.log10(1 + hertz / 700)
    points = np.arange(bins + 2) * (to_mel(high) - to_mel(low)) / (bins + 2) + to_mel(low)
    points = (((length + 1) * 700 * (np.power(10, points / 2595) - 1)) // rate).astype(int)
    output = np.zeros((spectrogram_bins, bins))
    for i in range(bins):
        left, center, right = points[i], points[i + 1], points[i + 2]
        if center == left:
            output[center, i] = 1
        else:
            for j in range(left, center + 1):
                output[j, i] = (j - left) / (center - left)
        for j in range(center, right):
            output[j, i] = (right - j) / (right - center)
    return output


def mel_cases(out):
    for name, (bins, length, rate, low, high) in (
            ("melweightmatrix_constant", (8, 16, 8192, 0.0, 4096.0)),
            ("melweightmatrix_constant_wide", (10, 64, 16000, 20.0, 7600.0))):
        expected = mel_weight_matrix(bins, length, rate, low, high).astype(np.float32)
        write_case(out, name,
                   [constant("bins", np.int32(bins)), constant("length", np.int32(length)),
                    constant("rate", np.int32(rate)), constant("low", np.float32(low)),
                    constant("high", np.float32(high)),
                    helper.make_node("MelWeightMatrix", ["bins", "length", "rate", "low", "high"],
                                     ["m"]),
                    helper.make_node("Add", ["m", "x"], ["y"])],
                   [("x", np.zeros(expected.shape, np.float32))], [("y", expected)])


def max_pool_reference(x, kernel, strides, column_major):
    """Max and flat index of each window (no padding), first maximum winning."""
    n, c, h, w = x.shape
    oh, ow = (h - kernel) // strides + 1, (w - kernel) // strides + 1
    values = np.zeros((n, c, oh, ow), x.dtype)
    indices = np.zeros((n, c, oh, ow), np.int64)
    for b in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    window = x[b, ch, i * strides:i * strides + kernel,
                               j * strides:j * strides + kernel]
                    r, s = np.unravel_index(np.argmax(window), window.shape)
                    row, col = i * strides + r, j * strides + s
                    position = col * h + row if column_major else row * w + col
                    values[b, ch, i, j] = window[r, s]
                    indices[b, ch, i, j] = (b * c + ch) * h * w + position
    return values, indices


def pool_cases(out):
    # uint8 max pooling with indices, column-major (storage_order 1).
    x = RNG.integers(0, 256, (2, 3, 6, 5)).astype(np.uint8)
    values, indices = max_pool_reference(x, 2, 2, column_major=True)
    write_case(out, "maxpool_uint8_with_indices",
               [helper.make_node("MaxPool", ["x"], ["y", "i"], kernel_shape=[2, 2],
                                 strides=[2, 2], storage_order=1)],
               [("x", x)], [("y", values), ("i", indices)])

    # int8 3-D max pooling.
    x = RNG.integers(-128, 128, (1, 2, 4, 4, 4)).astype(np.int8)
    y = x.reshape(1, 2, 2, 2, 2, 2, 2, 2).max(axis=(3, 5, 7))
    write_case(out, "maxpool_int8_3d",
               [helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2, 2],
                                 strides=[2, 2, 2])],
               [("x", x)], [("y", y)])

    # MaxUnpool with output_shape from an initializer, as ONNX's reference
    # (onnx/reference/ops/op_max_unpool.py) and its test data define it: the
    # indices address the shape that kernel_shape and strides infer (4x4 here),
    # and that result sits at the start of the larger output_shape.
    x = RNG.standard_normal((1, 2, 4, 4)).astype(np.float32)
    values, indices = max_pool_reference(x, 2, 2, column_major=False)
    unpooled = np.zeros((1, 2, 4, 4), np.float32).reshape(-1)
    unpooled[indices.reshape(-1)] = values.reshape(-1)
    expected = np.zeros((1, 2, 6, 5), np.float32)
    expected[:, :, :4, :4] = unpooled.reshape(1, 2, 4, 4)
    write_case(out, "maxunpool_constant_output_shape",
               [helper.make_node("MaxUnpool", ["v", "i", "shape"], ["y"],
                                 kernel_shape=[2, 2], strides=[2, 2])],
               [("v", values), ("i", indices)], [("y", expected.reshape(1, 2, 6, 5))],
               initializers=[numpy_helper.from_array(np.array([1, 2, 6, 5], np.int64),
                                                     "shape")])


def main():
    out = sys.argv[1]
    for make in (stft_cases, dft_cases, window_cases, mel_cases, pool_cases):
        make(out)


if __name__ == "__main__":
    main()
