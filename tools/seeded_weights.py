"""Deterministic, seeded BERT weights (reference for the C++ generator).

The spec (must match the C++ side bit-exactly):

  mix(z)      splitmix64 finaliser, all arithmetic mod 2^64:
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
                z = (z ^ (z >> 27)) * 0x94D049BB133111EB
                return z ^ (z >> 31)
  fnv1a64(s)  h = 0xcbf29ce484222325; for each UTF-8 byte b: h ^= b; h *= 0x100000001b3
  For tensor `name` with n elements (row-major) and global seed S:
      base = fnv1a64(name) ^ S
      z_i  = mix(base + (i+1) * 0x9E3779B97F4A7C15)        i = 0..n-1
      u_i  = float32(z_i >> 40) / float32(2^23) - float32(1)  (exact, in [-1, 1))
  Value by role (float32 arithmetic, first matching rule wins):
      1. ends with "LayerNorm.weight" or "layer_norm.weight": 1 + 0.1*u
      2. ends with "LayerNorm.bias" or "layer_norm.bias":     0.1*u
      3. other names ending ".bias":   0.05*u
      4. names containing "embeddings": u
      5. other 2-D weight [out, in]:    u * float32(1.5 / sqrt(in))   (scale computed in double)

Usage:
    from seeded_weights import generate, tensor_shapes
    w = generate(config_dict, seed)   # {name: np.ndarray float32}, HF BertForSequenceClassification names
"""

from __future__ import annotations

import math

import numpy as np

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MASK64 = (1 << 64) - 1


def mix(z: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser on a uint64 array (wraps mod 2^64)."""
    z = np.asarray(z, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        z = z ^ (z >> np.uint64(31))
    return z


def fnv1a64(name: str) -> int:
    h = 0xCBF29CE484222325
    for b in name.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001B3) & _MASK64
    return h


def uniform(name: str, n: int, seed: int) -> np.ndarray:
    """u_i in [-1, 1) as float32, i = 0..n-1."""
    base = np.uint64((fnv1a64(name) ^ (seed & _MASK64)) & _MASK64)
    idx = np.arange(1, n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = mix(base + idx * _GOLDEN)
    top = (z >> np.uint64(40)).astype(np.float32)  # 24-bit integers, exact in float32
    return top / np.float32(2.0 ** 23) - np.float32(1.0)


def value_for(name: str, shape: tuple[int, ...], seed: int) -> np.ndarray:
    n = int(np.prod(shape)) if len(shape) else 1
    u = uniform(name, n, seed)
    if name.endswith(("LayerNorm.weight", "layer_norm.weight")):
        v = np.float32(1.0) + np.float32(0.1) * u
    elif name.endswith(("LayerNorm.bias", "layer_norm.bias")):
        v = np.float32(0.1) * u
    elif name.endswith(".bias"):
        v = np.float32(0.05) * u
    elif "embeddings" in name:
        v = u
    elif len(shape) == 2:
        v = u * np.float32(1.5 / math.sqrt(shape[1]))
    else:
        raise ValueError(f"no role rule for tensor {name} with shape {shape}")
    v = np.asarray(v, dtype=np.float32)
    assert v.dtype == np.float32
    return v.reshape(shape)


def num_labels_of(config: dict) -> int:
    if "num_labels" in config:
        return int(config["num_labels"])
    if "id2label" in config:
        return len(config["id2label"])
    return 2


def layer_names(config: dict) -> list[list[str]]:
    """Hugging Face names (before .weight/.bias) of each stored encoder layer's 8 sublayers: query,
    key, value, attention output, its LayerNorm, intermediate, output, output LayerNorm. ALBERT
    stores each shared layer once (num_hidden_groups x inner_group_num)."""
    if config.get("model_type") == "albert":
        return [[f"albert.encoder.albert_layer_groups.{g}.albert_layers.{k}.{n}" for n in
                 ("attention.query", "attention.key", "attention.value", "attention.dense", "attention.LayerNorm",
                  "ffn", "ffn_output", "full_layer_layer_norm")]
                for g in range(int(config.get("num_hidden_groups", 1)))
                for k in range(int(config.get("inner_group_num", 1)))]
    return [[f"bert.encoder.layer.{i}.{n}" for n in
             ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
              "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm")]
            for i in range(int(config["num_hidden_layers"]))]


def tensor_shapes(config: dict) -> list[tuple[str, tuple[int, ...]]]:
    """Names and shapes, in Hugging Face BertForSequenceClassification order (for model_type
    "albert": AlbertForSequenceClassification, with the embedding projection)."""
    albert = config.get("model_type") == "albert"
    p = "albert." if albert else "bert."
    V = int(config["vocab_size"])
    H = int(config["hidden_size"])
    E = int(config["embedding_size"]) if albert else H
    I = int(config["intermediate_size"])
    P = int(config["max_position_embeddings"])
    T = int(config["type_vocab_size"])
    C = num_labels_of(config)
    out: list[tuple[str, tuple[int, ...]]] = [
        (p + "embeddings.word_embeddings.weight", (V, E)),
        (p + "embeddings.position_embeddings.weight", (P, E)),
        (p + "embeddings.token_type_embeddings.weight", (T, E)),
        (p + "embeddings.LayerNorm.weight", (E,)),
        (p + "embeddings.LayerNorm.bias", (E,)),
    ]
    if albert:
        out += [(p + "encoder.embedding_hidden_mapping_in.weight", (H, E)),
                (p + "encoder.embedding_hidden_mapping_in.bias", (H,))]
    for q, k, v, ao, an, inter, o, on in layer_names(config):
        for name in (q, k, v, ao):
            out += [(name + ".weight", (H, H)), (name + ".bias", (H,))]
        out += [(an + ".weight", (H,)), (an + ".bias", (H,)), (inter + ".weight", (I, H)), (inter + ".bias", (I,)),
                (o + ".weight", (H, I)), (o + ".bias", (H,)), (on + ".weight", (H,)), (on + ".bias", (H,))]
    pooler = p + ("pooler" if albert else "pooler.dense")
    out += [
        (pooler + ".weight", (H, H)),
        (pooler + ".bias", (H,)),
        ("classifier.weight", (C, H)),
        ("classifier.bias", (C,)),
    ]
    return out


def generate(config: dict, seed: int) -> dict[str, np.ndarray]:
    """All weights of BertForSequenceClassification (or, for model_type "albert",
    AlbertForSequenceClassification) as float32 arrays."""
    return {name: value_for(name, shape, seed) for name, shape in tensor_shapes(config)}


if __name__ == "__main__":
    cfg = dict(vocab_size=120, hidden_size=64, num_hidden_layers=4, num_attention_heads=4,
               intermediate_size=128, max_position_embeddings=64, type_vocab_size=2, num_labels=3)
    w = generate(cfg, 7)
    for k in ("bert.embeddings.word_embeddings.weight", "classifier.weight"):
        print(k, [repr(float(x)) for x in w[k].reshape(-1)[:8]])
