#!/usr/bin/env bash
# The main job: install what is needed, build, and run the demonstration.
# While the client, syncd and hub are being built, the demonstration is the
# protocol self-check: the protocol library's own tests against its vectors.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/install-deps.sh
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/demo -j "$(nproc)" >/dev/null
echo "Tetrad built in build/demo/bin."
if [ -x build/demo/bin/tetrad-hub ] && [ -x build/demo/bin/tetrad ] && [ -x build/demo/bin/tetrad-syncd ] \
	&& [ -f scripts/demo-run.sh ]; then
	exec bash scripts/demo-run.sh build/demo/bin
fi
echo "Protocol self-check:"
(cd build/demo && ctest -L unit -R 'tbuf|uuid7|hlc|keys|changeset|envelope|sigblob' --output-on-failure)
