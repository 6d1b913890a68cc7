"""Writes quant-ops-import.onnx, the model of ../quant-ops-import.test:
/usr/bin/python3 quant-ops-import.py (needs python3-onnx)."""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def const(name, values, dtype):
    return numpy_helper.from_array(np.array(values, dtype=dtype), name)


nodes = [
    # Per-channel quantization with ties and saturation, and back.
    helper.make_node("QuantizeLinear", ["x", "q_scale", "q_zero"], ["q"],
                     axis=1),
    helper.make_node("DequantizeLinear", ["q", "q_scale", "q_zero"], ["dq"],
                     axis=1),
    # A 1x1 integer convolution over both channels of q.
    helper.make_node("ConvInteger", ["q", "w", "x_zero"], ["conv"]),
    # q's rows times a 3x2 matrix.
    helper.make_node("Reshape", ["q", "rows_shape"], ["q_rows"]),
    helper.make_node("MatMulInteger", ["q_rows", "b", "x_zero"], ["product"]),
    # x as a 4x3 matrix: its strict upper triangle, and a shifted eye.
    helper.make_node("Reshape", ["x", "rows_shape"], ["x_rows"]),
    helper.make_node("Trilu", ["x_rows", "k"], ["upper"]),
    helper.make_node("EyeLike", ["x_rows"], ["eye"], k=-1,
                     dtype=TensorProto.INT64),
    helper.make_node("OneHot", ["i", "depth", "on_off"], ["hot"]),
    # Normalizations: run-time statistics, a window over channels, instances.
    helper.make_node("BatchNormalization",
                     ["x", "bn_scale", "bn_bias", "mean", "var"], ["bn"],
                     epsilon=0.0),
    helper.make_node("LRN", ["x"], ["lrn"], size=3),
    helper.make_node("InstanceNormalization", ["x", "in_scale", "in_bias"],
                     ["instance"]),
]
initializers = [
    const("q_scale", [0.5, 2.0], np.float32),
    const("q_zero", [10, 250], np.uint8),
    const("w", [[[[1]], [[2]]]], np.uint8),
    const("x_zero", 10, np.uint8),
    const("rows_shape", [4, 3], np.int64),
    const("b", [[1, 0], [0, 1], [1, 1]], np.uint8),
    const("k", 1, np.int64),
    const("depth", 4, np.int64),
    const("on_off", [0, 1], np.float32),
    const("bn_scale", [1, 2], np.float32),
    const("bn_bias", [0, 1], np.float32),
    const("in_scale", [1, 1], np.float32),
    const("in_bias", [0, 0], np.float32),
]
outputs = [("q", TensorProto.UINT8, [1, 2, 2, 3]),
           ("dq", TensorProto.FLOAT, [1, 2, 2, 3]),
           ("conv", TensorProto.INT32, [1, 1, 2, 3]),
           ("product", TensorProto.INT32, [4, 2]),
           ("upper", TensorProto.FLOAT, [4, 3]),
           ("eye", TensorProto.INT64, [4, 3]),
           ("hot", TensorProto.FLOAT, [3, 4]),
           ("bn", TensorProto.FLOAT, [1, 2, 2, 3]),
           ("lrn", TensorProto.FLOAT, [1, 2, 2, 3]),
           ("instance", TensorProto.FLOAT, [1, 2, 2, 3])]
graph = helper.make_graph(
    nodes, "quant_ops_import",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 2, 3]),
     helper.make_tensor_value_info("i", TensorProto.INT64, [3]),
     helper.make_tensor_value_info("mean", TensorProto.FLOAT, [2]),
     helper.make_tensor_value_info("var", TensorProto.FLOAT, [2])],
    [helper.make_tensor_value_info(name, dtype, shape)
     for name, dtype, shape in outputs],
    initializer=initializers)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
model.ir_version = 8
onnx.checker.check_model(model, full_check=True)
onnx.save(model, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "quant-ops-import.onnx"))
