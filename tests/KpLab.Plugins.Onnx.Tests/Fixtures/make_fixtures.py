#!/usr/bin/python3
"""Generates the onnx embedder's test fixtures (run with Debian's /usr/bin/python3: numpy, scipy, onnx).

- tiny-bert/: a small BERT-shaped ONNX model (hidden 32, 2 heads, 2 layers, opset 17, seed 20240611) in a
  sentence-transformers style folder (vocab.txt, tokenizer_config.json, config.json, 1_Pooling/config.json).
- tokenizer-json/tokenizer.json: the same vocabulary as a Hugging Face tokenizers file (cased: no lowercase,
  no accent stripping), for the tokenizer.json code path.
- unexpected-input.onnx: a model declaring an input the embedder cannot feed ("pixel_values").
- truncated.onnx: the first third of tiny-bert/model.onnx.
- tokenizer_cases.json: texts (as UTF-16 code units, so lone surrogates survive) with the token ids of a pure-Python
  reimplementation of Hugging Face's BERT tokenization (BertNormalizer + BertPreTokenizer + WordPiece, i.e.
  BertTokenizerFast, which sentence-transformers uses; see `bert_tokenize`).
- embeddings.json: sentence vectors of several texts computed in NumPy (float64) from the same weights, for every
  pooling mode with and without L2 normalisation, and mean pooling of the first layer's output.
"""
import json
import math
import os
import unicodedata

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from scipy.special import erf

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240611
HIDDEN, HEADS, INTERMEDIATE, LAYERS, MAX_POS, TYPES = 32, 2, 64, 2, 64, 2
MODEL_MAX_LENGTH = 24

# ---------------------------------------------------------------------------------------------------------------
# Vocabulary: specials, ASCII punctuation, digits, a-y (no z) as word starts and continuations, some words and
# pieces, accented and CJK characters, one emoji.
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PUNCT = [chr(c) for c in list(range(33, 48)) + list(range(58, 65)) + list(range(91, 97)) + list(range(123, 127))]
LETTERS = [chr(c) for c in range(ord("a"), ord("z"))]  # a..y
WORDS = ["the", "water", "salt", "evaporate", "evaporat", "left", "behind", "it", "sit", "dish", "day", "by",
         "let", "and", "is", "in", "for", "of", "to", "hello", "world", "cafe", "nino", "un", "want", "run",
         "able", "he", "she", "was", "were", "rock", "mock", "sand", "iron", "magnet", "filter", "paper",
         "Hello", "World", "The", "caf", "café", "niño", "Ñ", "é", "ñ", "中", "文", "学", "生", "😀", "ü", "ber",
         "uber", "ma", "ch", "en", "over", "heat", "boil", "con", "tain", "er"]
PIECES = ["##ed", "##ing", "##ion", "##er", "##ly", "##able", "##ness", "##é", "##ñ",
          "##ap", "##or", "##ate", "##ation", "##ul", "##ra", "##ff", "##ant", "##ain", "##aff"]
VOCAB = SPECIALS + PUNCT + [str(d) for d in range(10)] + LETTERS + ["##" + c for c in LETTERS] + WORDS + PIECES
assert len(VOCAB) == len(set(VOCAB)), "duplicate vocabulary entry"
IDS = {t: i for i, t in enumerate(VOCAB)}


# ---------------------------------------------------------------------------------------------------------------
# Pure-Python BERT tokenization (the algorithm of tokenizers' BertNormalizer/BertPreTokenizer/WordPiece, which is
# BertTokenizer's BasicTokenizer + WordpieceTokenizer without its extra NFC step).
def is_control(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch).startswith("C")


def is_whitespace(ch):
    return ch in " \t\n\r" or ch.isspace()


def is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def is_chinese(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF
            or 0x2F800 <= cp <= 0x2FA1F)


def normalize(text, lowercase, strip_accents, chinese=True):
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or is_control(ch):  # lone surrogates are category Cs: removed here too
            continue
        if is_whitespace(ch):
            out.append(" ")
        elif chinese and is_chinese(cp):
            out.append(" " + ch + " ")
        else:
            out.append(ch)
    text = "".join(out)
    if strip_accents is None:
        strip_accents = lowercase
    if strip_accents:
        text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    if lowercase:
        text = "".join(c.lower() for c in text)  # character by character, as Rust's char::to_lowercase
    return text


def pre_tokenize(text):
    words = []
    for chunk in text.split():
        current = ""
        for ch in chunk:
            if is_punctuation(ch):
                if current:
                    words.append(current)
                words.append(ch)
                current = ""
            else:
                current += ch
        if current:
            words.append(current)
    return words


def wordpiece(word, vocab, max_chars=100):
    if len(word) > max_chars:
        return ["[UNK]"]
    pieces, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            sub = word[start:end]
            if start > 0:
                sub = "##" + sub
            if sub in vocab:
                found = sub
                break
            end -= 1
        if found is None:
            return ["[UNK]"]
        pieces.append(found)
        start = end
    return pieces


def bert_tokenize(text, lowercase=True, strip_accents=None, max_length=MODEL_MAX_LENGTH):
    tokens = []
    for word in pre_tokenize(normalize(text, lowercase, strip_accents)):
        tokens.extend(wordpiece(word, IDS))
    tokens = tokens[: max_length - 2]
    return [IDS["[CLS]"]] + [IDS[t] for t in tokens] + [IDS["[SEP]"]]


def utf16_units(text):
    data = text.encode("utf-16-le", "surrogatepass")
    return [int.from_bytes(data[i:i + 2], "little") for i in range(0, len(data), 2)]


# ---------------------------------------------------------------------------------------------------------------
# The model.
def weight(*shape, scale=0.2):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def init_weights():
    """Draws every weight from the seeded generator (the same values on every run)."""
    global rng, W, HEAD
    rng = np.random.default_rng(SEED)
    HEAD = HIDDEN // HEADS
    W = {
        "word_emb": weight(len(VOCAB), HIDDEN, scale=0.5),
        "pos_emb": weight(MAX_POS, HIDDEN, scale=0.1),
        "type_emb": weight(TYPES, HIDDEN, scale=0.1),
        "emb_ln_g": (1 + weight(HIDDEN, scale=0.1)),
        "emb_ln_b": weight(HIDDEN, scale=0.1),
    }
    for l in range(LAYERS):
        for name, shape in [("wq", (HIDDEN, HIDDEN)), ("wk", (HIDDEN, HIDDEN)), ("wv", (HIDDEN, HIDDEN)),
                            ("wo", (HIDDEN, HIDDEN)), ("w1", (HIDDEN, INTERMEDIATE)), ("w2", (INTERMEDIATE, HIDDEN))]:
            W[f"l{l}_{name}"] = weight(*shape)
        for name, size in [("bq", HIDDEN), ("bk", HIDDEN), ("bv", HIDDEN), ("bo", HIDDEN), ("b1", INTERMEDIATE),
                           ("b2", HIDDEN)]:
            W[f"l{l}_{name}"] = weight(size, scale=0.05)
        for name in ["ln1", "ln2"]:
            W[f"l{l}_{name}_g"] = 1 + weight(HIDDEN, scale=0.1)
            W[f"l{l}_{name}_b"] = weight(HIDDEN, scale=0.1)




def build_model(path):
    nodes, inits = [], [numpy_helper.from_array(v, k) for k, v in W.items()]

    def const(name, value):
        inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(op, inputs, output, **attrs):
        nodes.append(helper.make_node(op, inputs, [output], name=output + "_node", **attrs))
        return output

    const("one_i64", np.array(1, dtype=np.int64))
    const("zero_i64", np.array(0, dtype=np.int64))
    const("one_f", np.array(1.0, dtype=np.float32))
    const("half_f", np.array(0.5, dtype=np.float32))
    const("sqrt2_f", np.array(math.sqrt(2.0), dtype=np.float32))
    const("neg_big_f", np.array(-10000.0, dtype=np.float32))
    const("scale_f", np.array(1.0 / math.sqrt(HEAD), dtype=np.float32))
    const("split_shape", np.array([0, 0, HEADS, HEAD], dtype=np.int64))
    const("merge_shape", np.array([0, 0, HIDDEN], dtype=np.int64))
    const("mask_axes", np.array([1, 2], dtype=np.int64))

    node("Gather", ["word_emb", "input_ids"], "word")
    node("Shape", ["input_ids"], "ids_shape")
    node("Gather", ["ids_shape", "one_i64"], "seq_len")
    node("Range", ["zero_i64", "seq_len", "one_i64"], "positions")
    node("Gather", ["pos_emb", "positions"], "pos")
    node("Gather", ["type_emb", "token_type_ids"], "types")
    node("Add", ["word", "pos"], "emb0")
    node("Add", ["emb0", "types"], "emb1")
    x = node("LayerNormalization", ["emb1", "emb_ln_g", "emb_ln_b"], "emb", epsilon=1e-12, axis=-1)
    node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    node("Sub", ["one_f", "mask_f"], "mask_inv")
    node("Mul", ["mask_inv", "neg_big_f"], "mask_add")
    node("Unsqueeze", ["mask_add", "mask_axes"], "mask4")
    for l in range(LAYERS):
        p = f"l{l}_"
        heads = {}
        for n, perm in [("q", [0, 2, 1, 3]), ("k", [0, 2, 3, 1]), ("v", [0, 2, 1, 3])]:
            node("MatMul", [x, p + "w" + n], p + n + "_mm")
            node("Add", [p + n + "_mm", p + "b" + n], p + n + "_lin")
            node("Reshape", [p + n + "_lin", "split_shape"], p + n + "_split")
            heads[n] = node("Transpose", [p + n + "_split"], p + n + "_t", perm=perm)
        node("MatMul", [heads["q"], heads["k"]], p + "scores_raw")
        node("Mul", [p + "scores_raw", "scale_f"], p + "scores_scaled")
        node("Add", [p + "scores_scaled", "mask4"], p + "scores")
        node("Softmax", [p + "scores"], p + "probs", axis=-1)
        node("MatMul", [p + "probs", heads["v"]], p + "ctx")
        node("Transpose", [p + "ctx"], p + "ctx_t", perm=[0, 2, 1, 3])
        node("Reshape", [p + "ctx_t", "merge_shape"], p + "ctx_merged")
        node("MatMul", [p + "ctx_merged", p + "wo"], p + "attn_mm")
        node("Add", [p + "attn_mm", p + "bo"], p + "attn")
        node("Add", [p + "attn", x], p + "res1")
        x1 = node("LayerNormalization", [p + "res1", p + "ln1_g", p + "ln1_b"], p + "x1", epsilon=1e-12, axis=-1)
        node("MatMul", [x1, p + "w1"], p + "ff_mm")
        node("Add", [p + "ff_mm", p + "b1"], p + "ff")
        if l == 0:  # exact GELU through Erf
            node("Div", [p + "ff", "sqrt2_f"], p + "ff_div")
            node("Erf", [p + "ff_div"], p + "ff_erf")
            node("Add", [p + "ff_erf", "one_f"], p + "ff_erf1")
            node("Mul", [p + "ff", "half_f"], p + "ff_half")
            act = node("Mul", [p + "ff_half", p + "ff_erf1"], p + "act")
        else:
            act = node("Relu", [p + "ff"], p + "act")
        node("MatMul", [act, p + "w2"], p + "ff2_mm")
        node("Add", [p + "ff2_mm", p + "b2"], p + "ff2")
        node("Add", [p + "ff2", x1], p + "res2")
        out_name = "last_hidden_state" if l == LAYERS - 1 else f"layer{l + 1}_hidden_state"
        x = node("LayerNormalization", [p + "res2", p + "ln2_g", p + "ln2_b"], out_name, epsilon=1e-12, axis=-1)

    ids = lambda name: helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "sequence"])
    hidden = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", "sequence", HIDDEN])
    graph = helper.make_graph(nodes, "tiny_bert", [ids("input_ids"), ids("attention_mask"), ids("token_type_ids")],
                              [hidden("last_hidden_state"), hidden("layer1_hidden_state")], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="kplab-fixtures")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def build_unexpected_input_model(path):
    emb = numpy_helper.from_array(weight(len(VOCAB), 4), "emb")
    nodes = [helper.make_node("Gather", ["emb", "input_ids"], ["g"]),
             helper.make_node("Add", ["g", "pixel_values"], ["last_hidden_state"])]
    graph = helper.make_graph(
        nodes, "unexpected_input",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
         helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, ["batch", "sequence", 4])],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", 4])], [emb])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


# ---------------------------------------------------------------------------------------------------------------
# NumPy forward pass (float64, one text at a time, no padding).
def layer_norm(x, g, b, eps=1e-12):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * g + b


def forward(ids):
    w = {k: v.astype(np.float64) for k, v in W.items()}
    ids = np.asarray(ids)
    n = len(ids)
    x = layer_norm(w["word_emb"][ids] + w["pos_emb"][:n] + w["type_emb"][0], w["emb_ln_g"], w["emb_ln_b"])
    outputs = []
    for l in range(LAYERS):
        p = f"l{l}_"
        split = lambda t: t.reshape(n, HEADS, HEAD).transpose(1, 0, 2)
        q, k, v = (split(x @ w[p + "w" + c] + w[p + "b" + c]) for c in "qkv")
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(HEAD)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        probs = scores / scores.sum(-1, keepdims=True)
        ctx = (probs @ v).transpose(1, 0, 2).reshape(n, HIDDEN)
        x1 = layer_norm(ctx @ w[p + "wo"] + w[p + "bo"] + x, w[p + "ln1_g"], w[p + "ln1_b"])
        ff = x1 @ w[p + "w1"] + w[p + "b1"]
        act = 0.5 * ff * (1 + erf(ff / math.sqrt(2))) if l == 0 else np.maximum(ff, 0)
        x = layer_norm(act @ w[p + "w2"] + w[p + "b2"] + x1, w[p + "ln2_g"], w[p + "ln2_b"])
        outputs.append(x)
    return outputs  # [layer1, last]


def pool(h, mode):
    if mode == "mean":
        return h.mean(0)
    if mode == "cls":
        return h[0]
    return h.max(0)


# ---------------------------------------------------------------------------------------------------------------
def write_folder(folder):
    """A sentence-transformers style folder for the current dimensions (weights drawn by init_weights)."""
    os.makedirs(os.path.join(folder, "1_Pooling"), exist_ok=True)
    with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(VOCAB) + "\n")
    json.dump({"do_lower_case": True, "model_max_length": MODEL_MAX_LENGTH},
              open(os.path.join(folder, "tokenizer_config.json"), "w"), indent=2)
    json.dump({"model_type": "bert", "hidden_size": HIDDEN, "max_position_embeddings": MAX_POS},
              open(os.path.join(folder, "config.json"), "w"), indent=2)
    json.dump({"pooling_mode_mean_tokens": True}, open(os.path.join(folder, "1_Pooling", "config.json"), "w"))
    build_model(os.path.join(folder, "model.onnx"))


def bench_model(folder):
    """A MiniLM-sized random BERT (hidden 384, 6 heads, 6 layers, 128 positions) for scripts/bench-onnx; not committed."""
    global HIDDEN, HEADS, INTERMEDIATE, LAYERS, MAX_POS, MODEL_MAX_LENGTH
    HIDDEN, HEADS, INTERMEDIATE, LAYERS, MAX_POS, MODEL_MAX_LENGTH = 384, 6, 1536, 6, 128, 128
    init_weights()
    write_folder(folder)


def main():
    init_weights()
    folder = os.path.join(HERE, "tiny-bert")
    os.makedirs(os.path.join(folder, "1_Pooling"), exist_ok=True)
    with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(VOCAB) + "\n")
    dump = lambda obj, *path: json.dump(obj, open(os.path.join(*path), "w", encoding="utf-8"), indent=2,
                                        ensure_ascii=False)
    dump({"do_lower_case": True, "strip_accents": None, "tokenize_chinese_chars": True,
          "model_max_length": MODEL_MAX_LENGTH, "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]",
          "unk_token": "[UNK]", "tokenizer_class": "BertTokenizer"}, folder, "tokenizer_config.json")
    dump({"model_type": "bert", "hidden_size": HIDDEN, "num_attention_heads": HEADS, "num_hidden_layers": LAYERS,
          "intermediate_size": INTERMEDIATE, "max_position_embeddings": MAX_POS, "type_vocab_size": TYPES,
          "vocab_size": len(VOCAB)}, folder, "config.json")
    dump({"word_embedding_dimension": HIDDEN, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
          "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False}, folder, "1_Pooling",
         "config.json")
    build_model(os.path.join(folder, "model.onnx"))
    build_unexpected_input_model(os.path.join(HERE, "unexpected-input.onnx"))
    data = open(os.path.join(folder, "model.onnx"), "rb").read()
    open(os.path.join(HERE, "truncated.onnx"), "wb").write(data[: len(data) // 3])

    os.makedirs(os.path.join(HERE, "tokenizer-json"), exist_ok=True)
    dump({"version": "1.0", "truncation": None, "padding": None, "added_tokens": [],
          "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                         "strip_accents": False, "lowercase": False},
          "pre_tokenizer": {"type": "BertPreTokenizer"},
          "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                    "max_input_chars_per_word": 100, "vocab": IDS}},
         HERE, "tokenizer-json", "tokenizer.json")

    long_word_100 = "ab" * 50
    cases = [
        ("lowercase", "Hello WORLD, The Water"),
        ("accents", "Café niño ÑANDÚ über naïve"),
        ("decomposed accents", "cafe\u0301 nin\u0303o"),
        ("cjk", "我爱中文学生 中文test"),
        ("punctuation", "hello,world! (salt) a-b $5 “quoted” ¿que? «x» 3.14"),
        ("unknown", "zebra lazy quiz"),
        ("wordpieces", "evaporated evaporation unwanted running filters"),
        ("long word 100", long_word_100),
        ("long word 101", long_word_100 + "a"),
        ("emoji", "salt 😀 water 🎉 👍🏽 👨‍👩‍👧 ok"),
        ("whitespace and controls", "\t\n  salt\u00a0water \r\n\u200bsand\u0000 \u2028rock\u3000iron\x7f"),
        ("lone surrogates", "sa\ud800lt wat\udc00er \ud83d"),
        ("replacement char", "sa\ufffdlt"),
        ("empty", ""),
        ("whitespace only", " \t\n\u00a0 "),
        ("turkish dotted capital", "İstanbul ΣΟΦΙΑ"),
        ("truncation", "the water is left behind and the salt is left in the dish for a day by it " * 2),
        ("truncation short", "one two three four five six seven"),
    ]
    tokenizer_cases = []
    for name, text in cases:
        max_length = 8 if name == "truncation short" else MODEL_MAX_LENGTH
        tokenizer_cases.append({
            "name": name, "utf16": utf16_units(text), "maxLength": max_length,
            "uncased": bert_tokenize(text, True, None, max_length),
            "cased": bert_tokenize(text, False, False, max_length),
            "untruncatedLength": len(bert_tokenize(text, True, None, 10_000)),
        })
    dump({"vocabSize": len(VOCAB), "cases": tokenizer_cases}, HERE, "tokenizer_cases.json")

    texts = [
        "By letting it sit in a dish for a day.",
        "Let the water evaporate and the salt is left behind.",
        "",
        "Café niño 中文 😀",
        "the water is left behind and the salt is left in the dish for a day by it, then the salt and the sand",
        "salt",
        "   ",
        "Magnets pull iron; filter paper holds the sand!",
        "evaporated evaporation boiling heating container",
    ]
    vectors = []
    for text in texts:
        ids = bert_tokenize(text)
        layer1, last = forward(ids)
        entry = {"text": text, "ids": ids}
        for mode in ["mean", "cls", "max"]:
            v = pool(last, mode)
            entry[mode] = v.tolist()
            entry[mode + "Normalized"] = (v / np.linalg.norm(v)).tolist()
        v = pool(layer1, "mean")
        entry["layer1MeanNormalized"] = (v / np.linalg.norm(v)).tolist()
        vectors.append(entry)
    dump({"hidden": HIDDEN, "maxLength": MODEL_MAX_LENGTH, "texts": vectors}, HERE, "embeddings.json")


if __name__ == "__main__":
    import sys
    if len(sys.argv) == 3 and sys.argv[1] == "--bench-model":
        bench_model(sys.argv[2])
    else:
        main()
