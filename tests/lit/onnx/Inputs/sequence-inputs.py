"""Writes sequence-inputs.onnx, the model of ../sequence-inputs.test:
/usr/bin/python3 sequence-inputs.py (needs python3-onnx).

A graph whose input s is a sequence of 1-D float tensors of any length and
whose input o is an optional f32[2]: it returns s concatenated, the number of
its elements, whether o holds a tensor, and s itself (a sequence output)."""
import os

import onnx
from onnx import TensorProto, helper

sequence = helper.make_sequence_type_proto(
    helper.make_tensor_type_proto(TensorProto.FLOAT, ["n"]))
optional = helper.make_optional_type_proto(
    helper.make_tensor_type_proto(TensorProto.FLOAT, [2]))
nodes = [
    helper.make_node("ConcatFromSequence", ["s"], ["joined"], axis=0),
    helper.make_node("SequenceLength", ["s"], ["length"]),
    helper.make_node("OptionalHasElement", ["o"], ["has"]),
    helper.make_node("Identity", ["s"], ["same"]),
]
graph = helper.make_graph(
    nodes, "sequence_inputs",
    [helper.make_value_info("s", sequence),
     helper.make_value_info("o", optional)],
    [helper.make_tensor_value_info("joined", TensorProto.FLOAT, [None]),
     helper.make_tensor_value_info("length", TensorProto.INT64, []),
     helper.make_tensor_value_info("has", TensorProto.BOOL, []),
     helper.make_value_info("same", sequence)])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
onnx.checker.check_model(model, full_check=True)
onnx.save(model, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "sequence-inputs.onnx"))
