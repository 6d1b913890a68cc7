#!/usr/bin/python3
"""Writes the ONNX models of run-time-sequences.test into the folder OUT.

  /usr/bin/python3 run-time-sequences.py OUT

grow.onnx       Loop over a run-time trip count M that appends x[0 : i + 1] to a
                sequence that starts empty; the result, its length, element
                `pos`, the result without element `pos` and with x inserted at
                `pos` are outputs.
optional.onnx   If on a run-time condition whose then branch holds x in an
                optional and whose else branch leaves it empty; the optional,
                whether it holds x and its content are outputs.
mixed.onnx      Loop that appends x (rank 1) to a sequence that starts with a
                scalar, then reads element `pos` (whose rank is not known).
"""
import os
import sys

import onnx
from onnx import TensorProto, helper


def model(graph):
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(m)
    return m


def scalar(name, elem_type):
    return helper.make_tensor_value_info(name, elem_type, [])


def float_sequence(name):
    return helper.make_value_info(
        name,
        helper.make_sequence_type_proto(
            helper.make_tensor_type_proto(TensorProto.FLOAT, None)))


def const(name, values):
    return helper.make_node(
        "Constant", [], [name],
        value=helper.make_tensor(name + "_value", TensorProto.INT64,
                                 [len(values)], values))


def grow():
    body = helper.make_graph(
        [
            const("zero", [0]),
            const("one", [1]),
            helper.make_node("Unsqueeze", ["i", "zero"], ["i1"]),
            helper.make_node("Add", ["i1", "one"], ["end"]),
            helper.make_node("Slice", ["x", "zero", "end"], ["part"]),
            helper.make_node("SequenceInsert", ["s_in", "part"], ["s_out"]),
            helper.make_node("Identity", ["cond_in"], ["cond_out"]),
        ],
        "body",
        [scalar("i", TensorProto.INT64), scalar("cond_in", TensorProto.BOOL),
         float_sequence("s_in")],
        [scalar("cond_out", TensorProto.BOOL), float_sequence("s_out")])
    graph = helper.make_graph(
        [
            helper.make_node("SequenceEmpty", [], ["empty"],
                             dtype=TensorProto.FLOAT),
            helper.make_node("Loop", ["M", "", "empty"], ["seq"], body=body),
            helper.make_node("SequenceLength", ["seq"], ["length"]),
            helper.make_node("SequenceAt", ["seq", "pos"], ["at"]),
            helper.make_node("SequenceErase", ["seq", "pos"], ["erased"]),
            helper.make_node("SequenceInsert", ["seq", "x", "pos"],
                             ["inserted"]),
        ],
        "grow",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4]),
         scalar("M", TensorProto.INT64), scalar("pos", TensorProto.INT64)],
        [float_sequence("seq"), scalar("length", TensorProto.INT64),
         helper.make_tensor_value_info("at", TensorProto.FLOAT, [None]),
         float_sequence("erased"), float_sequence("inserted")])
    return model(graph)


def optional():
    optional_type = helper.make_optional_type_proto(
        helper.make_tensor_type_proto(TensorProto.FLOAT, [3]))
    then_branch = helper.make_graph(
        [helper.make_node("Optional", ["x"], ["held"])], "then", [],
        [helper.make_value_info("held", optional_type)])
    else_branch = helper.make_graph(
        [helper.make_node("Optional", [], ["nothing"],
                          type=helper.make_tensor_type_proto(
                              TensorProto.FLOAT, [3]))],
        "else", [], [helper.make_value_info("nothing", optional_type)])
    graph = helper.make_graph(
        [
            helper.make_node("If", ["cond"], ["opt"],
                             then_branch=then_branch, else_branch=else_branch),
            helper.make_node("OptionalHasElement", ["opt"], ["has"]),
            helper.make_node("OptionalGetElement", ["opt"], ["content"]),
        ],
        "optional",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3]),
         scalar("cond", TensorProto.BOOL)],
        [helper.make_value_info("opt", optional_type),
         scalar("has", TensorProto.BOOL),
         helper.make_tensor_value_info("content", TensorProto.FLOAT, [3])])
    return model(graph)


def mixed():
    body = helper.make_graph(
        [
            helper.make_node("SequenceInsert", ["s_in", "x"], ["s_out"]),
            helper.make_node("Identity", ["cond_in"], ["cond_out"]),
        ],
        "body",
        [scalar("i", TensorProto.INT64), scalar("cond_in", TensorProto.BOOL),
         float_sequence("s_in")],
        [scalar("cond_out", TensorProto.BOOL), float_sequence("s_out")])
    graph = helper.make_graph(
        [
            helper.make_node(
                "Constant", [], ["seven"],
                value=helper.make_tensor("seven_value", TensorProto.FLOAT, [],
                                         [7.0])),
            helper.make_node("SequenceConstruct", ["seven"], ["start"]),
            helper.make_node("Loop", ["M", "", "start"], ["seq"], body=body),
            helper.make_node("SequenceAt", ["seq", "pos"], ["at"]),
        ],
        "mixed",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2]),
         scalar("M", TensorProto.INT64), scalar("pos", TensorProto.INT64)],
        [helper.make_tensor_value_info("at", TensorProto.FLOAT, [])])
    return model(graph)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, build in [("grow", grow), ("optional", optional),
                        ("mixed", mixed)]:
        onnx.save(build(), os.path.join(out, name + ".onnx"))


if __name__ == "__main__":
    main()
