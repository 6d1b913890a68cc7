"""The benchmark models: their PyTorch definitions, inputs and ONNX export forms.

Shared by export_models.py (which builds each model with seeded random weights, saves
its state dict, exports ONNX and writes the input and PyTorch's output) and
runners/torch_runner.py (which rebuilds the same module from the state dict and times it
in eager mode). Keeping both on one definition guarantees that PyTorch times exactly the
model that Kiln and ONNX Runtime run.

Every model is batch 1 with static shapes. Weights are random (seeded); nothing is
downloaded.
"""
import math

import torch
import torch.nn as nn
import torchvision


class LSTMLanguageModel(nn.Module):
    """Embedding, 2-layer LSTM, linear decoder over the vocabulary (word-level LM).

    The sequence is 64 tokens: Kiln unrolls an ONNX LSTM over time and accepts at most
    256 steps x directions per layer, and compile time grows with the unrolled steps.
    """

    VOCAB = 10000
    HIDDEN = 512
    SEQUENCE = 64

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(self.VOCAB, self.HIDDEN)
        self.lstm = nn.LSTM(self.HIDDEN, self.HIDDEN, num_layers=2, batch_first=True)
        self.decoder = nn.Linear(self.HIDDEN, self.VOCAB)

    def forward(self, tokens):
        hidden, _ = self.lstm(self.embedding(tokens))
        return self.decoder(hidden)


class DCGANGenerator(nn.Module):
    """The DCGAN generator of Radford et al. for 64x64 RGB images (nz=100, ngf=64)."""

    def __init__(self, latent=100, features=64, channels=3):
        super().__init__()
        f = features
        self.net = nn.Sequential(
            nn.ConvTranspose2d(latent, f * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(f * 8), nn.ReLU(True),
            nn.ConvTranspose2d(f * 8, f * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(f * 4), nn.ReLU(True),
            nn.ConvTranspose2d(f * 4, f * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(f * 2), nn.ReLU(True),
            nn.ConvTranspose2d(f * 2, f, 4, 2, 1, bias=False), nn.BatchNorm2d(f), nn.ReLU(True),
            nn.ConvTranspose2d(f, channels, 4, 2, 1, bias=False), nn.Tanh())

    def forward(self, z):
        return self.net(z)


# The BERT-like encoder: nn.TransformerEncoder, 4 post-norm layers, d=256, 4 heads,
# FFN 1024 with GELU, sequence 128.
ENCODER_LAYERS = 4
ENCODER_WIDTH = 256
ENCODER_HEADS = 4
ENCODER_FFN = 1024
ENCODER_SEQUENCE = 128


def make_transformer_encoder():
    layer = nn.TransformerEncoderLayer(ENCODER_WIDTH, ENCODER_HEADS, ENCODER_FFN, dropout=0.0,
                                       activation="gelu", batch_first=True)
    return nn.TransformerEncoder(layer, ENCODER_LAYERS)


class PlainEncoderLayer(nn.Module):
    """nn.TransformerEncoderLayer (post-norm, GELU, no dropout) written out op by op.

    PyTorch 1.13 cannot export nn.TransformerEncoder in eval mode (it takes the fused
    fast path, which has no ONNX symbolic); this module computes the same function from
    the same parameters with plain linear, softmax, layer-norm and GELU ops, so its
    export is what Kiln and ONNX Runtime run, while PyTorch times the real module.
    """

    def __init__(self, layer):
        super().__init__()
        width = layer.self_attn.embed_dim
        self.heads = layer.self_attn.num_heads
        self.head_width = width // self.heads
        q, k, v = layer.self_attn.in_proj_weight.detach().chunk(3)
        qb, kb, vb = layer.self_attn.in_proj_bias.detach().chunk(3)
        self.query, self.key, self.value = (nn.Linear(width, width) for _ in range(3))
        for linear, weight, bias in ((self.query, q, qb), (self.key, k, kb), (self.value, v, vb)):
            linear.weight.data.copy_(weight)
            linear.bias.data.copy_(bias)
        self.out = layer.self_attn.out_proj
        self.linear1, self.linear2 = layer.linear1, layer.linear2
        self.norm1, self.norm2 = layer.norm1, layer.norm2

    def split_heads(self, x):
        batch, sequence, _ = x.shape
        return x.reshape(batch, sequence, self.heads, self.head_width).transpose(1, 2)

    def forward(self, x):
        batch, sequence, width = x.shape
        q = self.split_heads(self.query(x)) * (1.0 / math.sqrt(self.head_width))
        k = self.split_heads(self.key(x))
        v = self.split_heads(self.value(x))
        attention = torch.softmax(q @ k.transpose(-1, -2), dim=-1) @ v
        attention = attention.transpose(1, 2).reshape(batch, sequence, width)
        x = self.norm1(x + self.out(attention))
        return self.norm2(x + self.linear2(nn.functional.gelu(self.linear1(x))))


class PlainEncoder(nn.Module):
    def __init__(self, encoder):
        super().__init__()
        self.layers = nn.ModuleList(PlainEncoderLayer(layer) for layer in encoder.layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def image(shape):
    return ("float32", shape)


# name -> (factory of the eager module, [(input name, (dtype, shape))], export form).
# The export form maps the eager module to the module torch.onnx.export gets
# (identity unless the eager module cannot be exported).
MODELS = {
    "resnet18": (lambda: torchvision.models.resnet18(weights=None), [("input", image((1, 3, 224, 224)))], None),
    "resnet50": (lambda: torchvision.models.resnet50(weights=None), [("input", image((1, 3, 224, 224)))], None),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(weights=None),
                     [("input", image((1, 3, 224, 224)))], None),
    "squeezenet1_1": (lambda: torchvision.models.squeezenet1_1(weights=None),
                      [("input", image((1, 3, 224, 224)))], None),
    "lstm_lm": (LSTMLanguageModel, [("tokens", ("int64", (1, LSTMLanguageModel.SEQUENCE)))], None),
    "bert_encoder": (make_transformer_encoder,
                     [("input", image((1, ENCODER_SEQUENCE, ENCODER_WIDTH)))], PlainEncoder),
    "dcgan_generator": (DCGANGenerator, [("input", image((1, 100, 1, 1)))], None),
}

# What each model is, for the results table.
DESCRIPTIONS = {
    "resnet18": "torchvision ResNet-18, 1x3x224x224",
    "resnet50": "torchvision ResNet-50, 1x3x224x224",
    "mobilenet_v2": "torchvision MobileNetV2, 1x3x224x224",
    "squeezenet1_1": "torchvision SqueezeNet 1.1, 1x3x224x224",
    "lstm_lm": "embedding 10000x512, 2-layer LSTM (hidden 512), linear to 10000; 64 tokens",
    "bert_encoder": "nn.TransformerEncoder: 4 layers, d=256, 4 heads, FFN 1024 (GELU); 1x128x256",
    "dcgan_generator": "DCGAN generator, nz=100, ngf=64, 64x64 RGB output",
}


def build(name):
    """The eager module of `name` in eval mode (random weights, not yet loaded)."""
    module = MODELS[name][0]()
    return module.eval()


def random_inputs(name, generator):
    """Seeded inputs: standard normal floats; token ids uniform over the vocabulary."""
    tensors = []
    for _, (dtype, shape) in MODELS[name][1]:
        if dtype == "int64":
            tensors.append(torch.randint(0, LSTMLanguageModel.VOCAB, shape, generator=generator))
        else:
            tensors.append(torch.randn(shape, generator=generator))
    return tensors
