# Sourced by .ci/run and for local work: when Prisma's native schema engine is absent (it is
# downloaded from outside the npm registry, which this machine cannot reach), point Prisma's CLI at
# the shared WebAssembly stand-in (../shared/tools/prisma-offline), installed into .cache/.
if ! ls node_modules/@prisma/engines/schema-engine-* >/dev/null 2>&1 && [ -z "${PRISMA_SCHEMA_ENGINE_BINARY:-}" ]; then
  _src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/shared/tools/prisma-offline"
  [ -d "$_src" ] || _src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/../shared/tools/prisma-offline"
  _dst="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cache/prisma-offline"
  if [ -f "$_src/schema-engine.mjs" ]; then
    if [ ! -d "$_dst/node_modules/@prisma/schema-engine-wasm" ] || ! cmp -s "$_src/package.json" "$_dst/package.json"; then
      mkdir -p "$_dst" && cp "$_src/schema-engine.mjs" "$_src/package.json" "$_src/package-lock.json" "$_dst/" &&
        (cd "$_dst" && npm install --silent --no-audit --no-fund >/dev/null 2>&1) ||
        echo "prisma-engine.sh: could not install the offline schema engine" >&2
    fi
    cp "$_src/schema-engine.mjs" "$_dst/schema-engine.mjs"
    export PRISMA_SCHEMA_ENGINE_BINARY="$_dst/schema-engine.mjs"
  else
    echo "prisma-engine.sh: no native schema engine and no ../shared/tools/prisma-offline" >&2
  fi
  unset _src _dst
fi
export CHECKPOINT_DISABLE=1
