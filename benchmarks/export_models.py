#!/usr/bin/python3
"""Exports the benchmark models and the microbenchmark kernels to ONNX.

  /usr/bin/python3 export_models.py OUT [NAME...]

For every model NAME of models.py (default: all) it writes OUT/models/NAME/:
  model.onnx       opset 14, batch 1, static shapes (the graph Kiln and ONNX Runtime run)
  weights.pt       the eager module's state dict (what the PyTorch runner loads)
  input_K.bin      seeded random input K, raw little-endian
  reference_K.bin  PyTorch's output K for that input (eager, inference mode)
  manifest.json    names, dtypes, shapes and files of the inputs and outputs
and with the name "micro" (also part of the default) OUT/micro/:
  sgemm_N/         a MatMul of two N x N inputs, N = 256, 512, 1024, 2048
  conv_*/          one Conv per distinct Conv layer of torchvision ResNet-50 at batch 1
                   (its weights an initializer, as in the model), same layout as above
  conv_shapes.json those layers: channels, kernel, stride, padding, input size, count

Weights are random with a fixed seed; nothing is downloaded. Run with Debian's Python.
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torchvision
from onnx import helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402

OPSET = 14
SGEMM_SIZES = (256, 512, 1024, 2048)
NUMPY_DTYPES = {"float32": np.float32, "int64": np.int64}


def randomize_batchnorm(module, generator):
    """Gives BatchNorm layers non-trivial running statistics, as trained ones have."""
    for layer in module.modules():
        if isinstance(layer, nn.modules.batchnorm._BatchNorm):
            layer.running_mean.copy_(torch.randn(layer.running_mean.shape, generator=generator) * 0.1)
            layer.running_var.copy_(torch.rand(layer.running_var.shape, generator=generator) + 0.5)


def write_case(folder, inputs, outputs):
    """Writes raw inputs and reference outputs and the manifest that describes them.

    `inputs` and `outputs` are lists of (name, numpy array).
    """
    manifest = {"inputs": [], "outputs": []}
    for kind, prefix, values in (("inputs", "input", inputs), ("outputs", "reference", outputs)):
        for index, (name, array) in enumerate(values):
            file_name = "%s_%d.bin" % (prefix, index)
            np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tofile(
                os.path.join(folder, file_name))
            manifest[kind].append({"name": name, "dtype": str(array.dtype), "shape": list(array.shape),
                                   "file": file_name})
    with open(os.path.join(folder, "manifest.json"), "w") as stream:
        json.dump(manifest, stream, indent=1)


def export_model(name, out_dir):
    factory, input_specs, export_form = models.MODELS[name]
    torch.manual_seed(1234)
    generator = torch.Generator().manual_seed(1234)
    module = models.build(name)
    with torch.no_grad():
        randomize_batchnorm(module, generator)
    inputs = models.random_inputs(name, generator)
    with torch.inference_mode():
        reference = module(*inputs)
    folder = os.path.join(out_dir, "models", name)
    os.makedirs(folder, exist_ok=True)
    torch.save(module.state_dict(), os.path.join(folder, "weights.pt"))

    exported = module
    if export_form is not None:
        exported = export_form(module).eval()
        with torch.no_grad():
            replica = exported(*inputs)
        # The export form must compute the eager module's function, or the three
        # frameworks would not run the same model.
        if not torch.allclose(replica, reference, rtol=1e-4, atol=1e-5):
            sys.exit("%s: the export form differs from the eager module by %g" %
                     (name, (replica - reference).abs().max().item()))
    input_names = [input_name for input_name, _ in input_specs]
    path = os.path.join(folder, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(exported, tuple(inputs), path, opset_version=OPSET,
                          input_names=input_names, output_names=["output"])
    onnx.checker.check_model(onnx.load(path))
    write_case(folder, [(n, t.numpy()) for n, t in zip(input_names, inputs)],
               [("output", reference.numpy())])


def save_onnx(graph, path):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="kiln-benchmarks")
    onnx.checker.check_model(model)
    onnx.save(model, path)


def export_sgemm(out_dir, size, rng):
    """C = A * B with both operands inputs, as an SGEMM library call has them."""
    folder = os.path.join(out_dir, "micro", "sgemm_%d" % size)
    os.makedirs(folder, exist_ok=True)
    shape = [size, size]
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "b"], ["c"])], "sgemm_%d" % size,
        [helper.make_tensor_value_info(n, onnx.TensorProto.FLOAT, shape) for n in ("a", "b")],
        [helper.make_tensor_value_info("c", onnx.TensorProto.FLOAT, shape)])
    save_onnx(graph, os.path.join(folder, "model.onnx"))
    # Operands in [0, 1): every product is positive, so the float32 sums are well
    # conditioned and the rtol 1e-3 check is meaningful even for K = 2048.
    a = rng.random(shape, dtype=np.float32)
    b = rng.random(shape, dtype=np.float32)
    c = (a.astype(np.float64) @ b.astype(np.float64)).astype(np.float32)
    write_case(folder, [("a", a), ("b", b)], [("c", c)])


def resnet50_conv_shapes():
    """The distinct Conv layers of torchvision ResNet-50 at batch 1, with their counts."""
    model = torchvision.models.resnet50(weights=None).eval()
    seen = {}

    def record(layer, args, _):
        _, channels, height, width = args[0].shape
        key = (channels, layer.out_channels, layer.kernel_size[0], layer.kernel_size[1],
               layer.stride[0], layer.padding[0], height, width)
        seen[key] = seen.get(key, 0) + 1

    hooks = [m.register_forward_hook(record) for m in model.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    for hook in hooks:
        hook.remove()
    shapes = []
    for (ic, oc, kh, kw, stride, pad, h, w), count in seen.items():
        shapes.append({"name": "conv_%d_%d_k%dx%d_s%d_p%d_%dx%d" % (ic, oc, kh, kw, stride, pad, h, w),
                       "in_channels": ic, "out_channels": oc, "kernel": [kh, kw], "stride": stride,
                       "padding": pad, "input": [h, w], "count": count})
    return shapes


def export_conv(out_dir, shape, rng):
    folder = os.path.join(out_dir, "micro", shape["name"])
    os.makedirs(folder, exist_ok=True)
    ic, oc = shape["in_channels"], shape["out_channels"]
    kh, kw = shape["kernel"]
    h, w = shape["input"]
    stride, pad = shape["stride"], shape["padding"]
    x = rng.standard_normal((1, ic, h, w), dtype=np.float32)
    weight = (rng.standard_normal((oc, ic, kh, kw), dtype=np.float32) *
              np.float32(np.sqrt(2.0 / (ic * kh * kw))))
    with torch.no_grad():
        y = nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(weight), stride=stride,
                                 padding=pad).numpy()
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[kh, kw], strides=[stride] * 2,
                          pads=[pad] * 4)],
        shape["name"], [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, list(y.shape))],
        initializer=[numpy_helper.from_array(weight, "w")])
    save_onnx(graph, os.path.join(folder, "model.onnx"))
    write_case(folder, [("x", x)], [("y", y)])


def export_micro(out_dir):
    rng = np.random.default_rng(1234)
    for size in SGEMM_SIZES:
        export_sgemm(out_dir, size, rng)
    shapes = resnet50_conv_shapes()
    for shape in shapes:
        export_conv(out_dir, shape, rng)
    with open(os.path.join(out_dir, "micro", "conv_shapes.json"), "w") as stream:
        json.dump(shapes, stream, indent=1)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    names = sys.argv[2:] or sorted(models.MODELS) + ["micro"]
    for name in names:
        if name == "micro":
            export_micro(out_dir)
        elif name in models.MODELS:
            export_model(name, out_dir)
        else:
            sys.exit("unknown model '%s' (known: %s, micro)" % (name, ", ".join(sorted(models.MODELS))))
        print("exported", name, flush=True)


if __name__ == "__main__":
    main()
