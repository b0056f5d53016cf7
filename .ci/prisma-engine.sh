# Sourced by .ci/run and for local work: when Prisma's native schema engine is absent (it is
# downloaded from outside the npm registry, which this machine cannot reach), point Prisma's CLI at
# the shared WebAssembly stand-in (../shared/tools/prisma-offline), copied into .cache/ and patched:
# the shared copy misreads PostgreSQL's internal "char" columns, which pg_constraint uses, so any
# CHECK constraint made its introspection fail silently (and `migrate diff` report nothing).
_ln_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! ls "$_ln_root"/node_modules/@prisma/engines/schema-engine-* >/dev/null 2>&1 && [ -z "${PRISMA_SCHEMA_ENGINE_BINARY:-}" ]; then
  _ln_src="$_ln_root/../shared/tools/prisma-offline"
  _ln_dst="$_ln_root/.cache/prisma-offline"
  if [ -f "$_ln_src/schema-engine.mjs" ]; then
    if [ ! -d "$_ln_dst/node_modules/@prisma/schema-engine-wasm" ] || ! cmp -s "$_ln_src/package.json" "$_ln_dst/package.json"; then
      mkdir -p "$_ln_dst" && cp "$_ln_src/package.json" "$_ln_src/package-lock.json" "$_ln_dst/" &&
        (cd "$_ln_dst" && npm install --silent --no-audit --no-fund >/dev/null 2>&1) ||
        echo "prisma-engine.sh: could not install the offline schema engine" >&2
    fi
    cp "$_ln_src/schema-engine.mjs" "$_ln_dst/schema-engine.mjs"
    chmod u+w "$_ln_dst/schema-engine.mjs"
    if ! patch -s -d "$_ln_dst" -p1 < "$_ln_root/.ci/prisma-offline-check-constraints.patch"; then
      echo "prisma-engine.sh: the check-constraint patch no longer applies to the shared engine" >&2
    fi
    chmod +x "$_ln_dst/schema-engine.mjs"
    export PRISMA_SCHEMA_ENGINE_BINARY="$_ln_dst/schema-engine.mjs"
  else
    echo "prisma-engine.sh: no native schema engine and no ../shared/tools/prisma-offline" >&2
  fi
  unset _ln_src _ln_dst
fi
unset _ln_root
export CHECKPOINT_DISABLE=1
