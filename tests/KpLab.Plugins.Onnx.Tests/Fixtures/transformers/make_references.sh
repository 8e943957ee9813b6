#!/usr/bin/env bash
# Regenerates minilm.json and arctic-xs.json beside this script (see make_references.mjs) from the models that
# scripts/fetch-models put in the KpLab cache. Installs @huggingface/tokenizers and onnxruntime-node from npm into a
# temporary folder (no install scripts run) and removes it afterwards.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${KPLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kplab}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --ignore-scripts --no-audit --no-fund --silent \
  @huggingface/tokenizers@0.2.0 onnxruntime-node@1.30.0 >/dev/null)
node "$here/make_references.mjs" "$work/node_modules" "$cache/models" "$here"
