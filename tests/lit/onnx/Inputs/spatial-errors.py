#!/usr/bin/python3
"""Writes ONNX models that the spatial family's converters must reject, one per file
in OUT: sizes Kiln cannot know when compiling, and attributes that do not fit.

  /usr/bin/python3 spatial-errors.py OUT
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def constant(name, value):
    return helper.make_node("Constant", [], [name],
                            value=numpy_helper.from_array(np.asarray(value), name))


def save(out, name, nodes, inputs, outputs):
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info(*i) for i in inputs],
        [helper.make_tensor_value_info(*o) for o in outputs])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, os.path.join(out, name + ".onnx"))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    signal = ("signal", TensorProto.FLOAT, [1, 64, 1])
    # frame_step from a graph input: the number of frames depends on its value.
    save(out, "stft-step-input",
         [constant("length", np.int64(16)),
          helper.make_node("STFT", ["signal", "step", "", "length"], ["y"], onesided=1)],
         [signal, ("step", TensorProto.INT64, [])], [("y", TensorProto.FLOAT, [1, None, None, 2])])
    # onesided left to its default, which ONNX 1.12's shape inference gets wrong.
    save(out, "stft-default-onesided",
         [constant("step", np.int64(8)), constant("length", np.int64(16)),
          helper.make_node("STFT", ["signal", "step", "", "length"], ["y"])],
         [signal], [("y", TensorProto.FLOAT, [1, None, None, 2])])
    save(out, "nms",
         [helper.make_node("NonMaxSuppression", ["boxes", "scores"], ["selected"])],
         [("boxes", TensorProto.FLOAT, [1, 6, 4]), ("scores", TensorProto.FLOAT, [1, 1, 6])],
         [("selected", TensorProto.INT64, [None, 3])])
    save(out, "mel-input",
         [constant("length", np.int32(16)), constant("rate", np.int32(8000)),
          constant("low", np.float32(0)), constant("high", np.float32(4000)),
          helper.make_node("MelWeightMatrix", ["bins", "length", "rate", "low", "high"],
                           ["m"])],
         [("bins", TensorProto.INT32, [])], [("m", TensorProto.FLOAT, [9, None])])
    # The axis of a DFT may not be the components' dim.
    save(out, "dft-last-axis",
         [helper.make_node("DFT", ["x"], ["y"], axis=2)],
         [("x", TensorProto.FLOAT, [2, 8, 1])], [("y", TensorProto.FLOAT, [2, 8, 2])])
    save(out, "dft-onesided-complex",
         [helper.make_node("DFT", ["x"], ["y"], axis=1, onesided=1)],
         [("x", TensorProto.FLOAT, [2, 8, 2])], [("y", TensorProto.FLOAT, [2, 5, 2])])
    save(out, "maxunpool-indices-shape",
         [helper.make_node("MaxUnpool", ["x", "i"], ["y"], kernel_shape=[2, 2],
                           strides=[2, 2])],
         [("x", TensorProto.FLOAT, [1, 1, 2, 2]), ("i", TensorProto.INT64, [1, 1, 2, 3])],
         [("y", TensorProto.FLOAT, [1, 1, 4, 4])])
    save(out, "roialign-mode",
         [helper.make_node("RoiAlign", ["x", "rois", "batch"], ["y"],
                           coordinate_transformation_mode="corners")],
         [("x", TensorProto.FLOAT, [1, 1, 4, 4]), ("rois", TensorProto.FLOAT, [2, 4]),
          ("batch", TensorProto.INT64, [2])], [("y", TensorProto.FLOAT, [2, 1, 1, 1])])


if __name__ == "__main__":
    main()
