#!/usr/bin/env bash
# The main job: install what is needed, build, and run the demonstration
# (scripts/demo-run.sh: a local hub, a school computer and a curator's laptop
# recording offline, a sync, the hub's reports).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/install-deps.sh
echo "Сборка Tetrad (build/demo)…"
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/demo -j "$(nproc)" >/dev/null
exec bash scripts/demo-run.sh build/demo/bin
