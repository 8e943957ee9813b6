// Reference sentence vectors for the minilm and arctic-xs presets, made by an implementation independent of KpLab:
// Hugging Face's tokenizers.js (@huggingface/tokenizers 0.2.0: BertNormalizer + BertPreTokenizer + WordPiece, from a
// tokenizer.json built here out of the model's vocab.txt, as Hugging Face's BertTokenizerFast converter writes it) and
// ONNX Runtime through onnxruntime-node 1.30.0, one text per run (no padding), pooled and L2-normalised in float64.
// Run through make_references.sh, which installs those two npm packages into a temporary folder.
// Usage: node make_references.mjs <node_modules> <models folder (KpLab cache/models)> <output folder>
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const [modules, modelsFolder, outputFolder] = process.argv.slice(2);
const require = createRequire(path.join(modules, "noop.js"));
const { Tokenizer } = await import(path.join(modules, "@huggingface/tokenizers/dist/tokenizers.mjs"));
const ort = require("onnxruntime-node");

const long = "Evaporation leaves the salt behind when the water in the dish is heated by the sun. ".repeat(40);
const texts = [
  ["hello", "hello world"],
  ["readme-1", "The weather is lovely today."],
  ["readme-2", "It's so sunny outside!"],
  ["readme-3", "He drove to the stadium."],
  ["answer", "The water evaporated and left the salt in the dish."],
  ["empty", ""],
  ["whitespace", " \t\n  \u3000 "],
  ["accents", "Café naïve Ñandú résumé Ångström"],
  ["ligatures", "ﬁnal ﬂow ﬀ ﬃ Æsir œuvre"],
  ["full-width", "ＦＵＬＬ－ｗｉｄｔｈ ＡＢＣ １２３"],
  ["cjk", "学生说水蒸发了，盐留在碟子里。日本語のテキスト。한국어 문장"],
  ["emoji", "The salt stays 😀🧂👍🏽 behind! 🇩🇪"],
  ["mixed-punctuation", "don't—stop... (really?!) #1 @home $5.00 ~x~"],
  ["control-chars", "tab\there\u0000nul\u200bzero-width\u00adsoft"],
  ["long-word", "a" + "b".repeat(120) + " pneumonoultramicroscopicsilicovolcanoconiosis"],
  ["combining", "e\u0301te\u0301 n\u0303 A\u030A"],
  ["long", long],
];

function tokenizerJson(vocabFile, maxLength) {
  const vocab = {};
  fs.readFileSync(vocabFile, "utf8").split("\n").forEach((line, i) => {
    const token = line.replace(/\r$/, "");
    if (line.length === 0 && i > 0) return;
    if (!(token in vocab)) vocab[token] = i;
  });
  const special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].map((content) => ({
    id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  }));
  return {
    version: "1.0",
    truncation: { direction: "Right", max_length: maxLength, strategy: "LongestFirst", stride: 0 },
    padding: null,
    added_tokens: special,
    normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } }],
      pair: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } },
             { Sequence: { id: "B", type_id: 1 } }, { SpecialToken: { id: "[SEP]", type_id: 1 } }],
      special_tokens: {
        "[CLS]": { id: "[CLS]", ids: [vocab["[CLS]"]], tokens: ["[CLS]"] },
        "[SEP]": { id: "[SEP]", ids: [vocab["[SEP]"]], tokens: ["[SEP]"] },
      },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab },
  };
}

for (const [name, pooling, maxLength] of [["minilm", "mean", 256], ["arctic-xs", "cls", 512]]) {
  const folder = path.join(modelsFolder, name);
  const config = JSON.parse(fs.readFileSync(path.join(folder, "tokenizer_config.json"), "utf8"));
  const tokenizer = new Tokenizer(tokenizerJson(path.join(folder, "vocab.txt"), maxLength), config);
  const session = await ort.InferenceSession.create(path.join(folder, "model.onnx"), { intraOpNumThreads: 1 });
  const cls = tokenizer.token_to_id ? tokenizer.token_to_id("[CLS]") : 101;
  const sep = tokenizer.token_to_id ? tokenizer.token_to_id("[SEP]") : 102;
  const rows = [];
  for (const [label, text] of texts) {
    let ids = tokenizer.encode(text, { add_special_tokens: false }).ids;
    const untruncated = ids.length + 2;
    ids = [cls, ...ids.slice(0, maxLength - 2), sep]; // right truncation of the content, then [CLS] ... [SEP]
    const n = ids.length;
    const feeds = {
      input_ids: new ort.Tensor("int64", BigInt64Array.from(ids.map(BigInt)), [1, n]),
      attention_mask: new ort.Tensor("int64", BigInt64Array.from(ids.map(() => 1n)), [1, n]),
      token_type_ids: new ort.Tensor("int64", new BigInt64Array(n), [1, n]),
    };
    const output = (await session.run(feeds))[session.outputNames[0]];
    const hidden = output.dims[2];
    const states = output.data;
    const vector = new Float64Array(hidden);
    if (pooling === "cls") for (let j = 0; j < hidden; j++) vector[j] = states[j];
    else {
      for (let t = 0; t < n; t++) for (let j = 0; j < hidden; j++) vector[j] += states[t * hidden + j];
      for (let j = 0; j < hidden; j++) vector[j] /= n;
    }
    const norm = Math.sqrt(vector.reduce((s, v) => s + v * v, 0));
    rows.push({ name: label, text, ids, untruncatedLength: untruncated, vector: Array.from(vector, (v) => Number((v / norm).toPrecision(9))) });
  }
  const result = { model: name, pooling, maxLength, made_by: "make_references.mjs: @huggingface/tokenizers 0.2.0 + onnxruntime-node 1.30.0", texts: rows };
  fs.writeFileSync(path.join(outputFolder, `${name}.json`), JSON.stringify(result) + "\n");
  console.log(`${name}: ${rows.length} texts`);
}
