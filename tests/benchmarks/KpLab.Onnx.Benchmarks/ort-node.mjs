// The peer side of scripts/bench-onnx: runs the token-id batches that KpLab's benchmark wrote (ids.json) through
// onnxruntime-node on the same model with one intra-op thread, padded as KpLab pads them, and times the session runs
// (tokenization and pooling excluded; KpLab's "session" mode times the same: inputs filled first, one warm-up, runs only).
// Usage: node ort-node.mjs <node_modules> <model.onnx> <ids.json> <threads>
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const [modules, modelPath, idsPath, threads] = process.argv.slice(2);
const ort = createRequire(path.join(modules, "noop.js"))("onnxruntime-node");
const batches = JSON.parse(fs.readFileSync(idsPath, "utf8"));
const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: Number(threads), interOpNumThreads: 1, graphOptimizationLevel: "all" });

function feeds(batch) {
  const width = batch[0].length, n = batch.length;
  const ids = new BigInt64Array(n * width), mask = new BigInt64Array(n * width);
  batch.forEach((row, b) => row.forEach((id, t) => { ids[b * width + t] = BigInt(id); mask[b * width + t] = 1n; }));
  const shape = [n, width];
  const all = { input_ids: new ort.Tensor("int64", ids, shape), attention_mask: new ort.Tensor("int64", mask, shape), token_type_ids: new ort.Tensor("int64", new BigInt64Array(n * width), shape) };
  return Object.fromEntries(session.inputNames.map((name) => [name, all[name]]));
}

const prepared = batches.map(feeds);
await session.run(prepared[prepared.length - 1]); // warm-up
const cpu = process.cpuUsage();
const start = process.hrtime.bigint();
for (const f of prepared) await session.run(f);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const used = process.cpuUsage(cpu);
const cpuSeconds = (used.user + used.system) / 1e6;
const texts = batches.reduce((s, b) => s + b.length, 0);
console.log(JSON.stringify({ engine: "onnxruntime-node 1.30.0", model: path.basename(path.dirname(modelPath)), threads: Number(threads), texts, seconds: Number(seconds.toFixed(3)), sentences_per_second: Number((texts / seconds).toFixed(1)), cpu_seconds: Number(cpuSeconds.toFixed(3)) }));
