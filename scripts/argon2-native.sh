#!/usr/bin/env bash
# Rebuild argon2-cffi-bindings for this machine's CPU. Its PyPI wheels carry libargon2's portable SSE2 code;
# built here with -march=native the library's AVX2/AVX-512 code verifies argon2id at the same parameters in
# less than half the time (bench/RESULTS.md, sign-in): the same hashes and the same security for less CPU per
# sign-in. Idempotent; if the build fails the wheel stays and everything works as before, only slower.
set -uo pipefail
cd "$(dirname "$0")/.."
if python3 - <<'PY'
import importlib.metadata as metadata
import sys

wheel = metadata.distribution("argon2-cffi-bindings").read_text("WHEEL") or ""
sys.exit(0 if "linux_" in wheel and "manylinux" not in wheel and "musllinux" not in wheel else 1)
PY
then
  exit 0  # already built on this machine
fi
if ! CFLAGS="${CFLAGS:--O3 -march=native}" python3 -m pip install --quiet --disable-pip-version-check \
    --force-reinstall --no-deps --no-binary argon2-cffi-bindings argon2-cffi-bindings; then
  echo "argon2-native: build failed; keeping the portable wheel (sign-ins cost more CPU)" >&2
fi
exit 0
