#!/usr/bin/env bash
# Generate the Salesforce Pub/Sub API stubs from integrations/salesforce/pubsub/pubsub_api.proto.
#
#   bash scripts/generate-grpc.sh           # (re)write the committed stubs
#   bash scripts/generate-grpc.sh --check   # fail if the committed stubs differ from a fresh run
#
# The same stubs are written into two packages: integrations/salesforce/pubsub/ (the portal's
# client) and sandbox/salesforce/pubsub/ (the emulator), because the sandbox may not import
# integrations (the import contract in pyproject.toml). Both are built from the one .proto, with
# the same protoc (grpcio-tools, pinned in requirements-dev.txt), so they are byte-identical.
#
# protoc writes `import pubsub_api_pb2` into the gRPC module, which only works with the package
# directory on sys.path; it is rewritten to the package-relative `from . import pubsub_api_pb2`.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-.venv/bin/python}"
PROTO_DIR="integrations/salesforce/pubsub"
PROTO="pubsub_api.proto"
TARGETS=("integrations/salesforce/pubsub" "sandbox/salesforce/pubsub")
STUBS=("pubsub_api_pb2.py" "pubsub_api_pb2.pyi" "pubsub_api_pb2_grpc.py")

check=false
case "${1:-}" in
  --check) check=true ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$PYTHON" -m grpc_tools.protoc -I "$PROTO_DIR" \
  --python_out="$work" --pyi_out="$work" --grpc_python_out="$work" "$PROTO"
"$PYTHON" - "$work/pubsub_api_pb2_grpc.py" <<'EOF'
import re
import sys
from pathlib import Path

path = Path(sys.argv[1])
source, count = re.subn(r"^import pubsub_api_pb2 as ", "from . import pubsub_api_pb2 as ", path.read_text(),
                        flags=re.MULTILINE)
if count != 1:
    sys.exit(f"{path.name}: expected one 'import pubsub_api_pb2' to rewrite, found {count}")
path.write_text(source)
EOF

status=0
for target in "${TARGETS[@]}"; do
  for stub in "${STUBS[@]}"; do
    if $check; then
      if ! cmp -s "$work/$stub" "$target/$stub"; then
        echo "out of date: $target/$stub (run scripts/generate-grpc.sh)" >&2
        status=1
      fi
    else
      mkdir -p "$target"
      cp "$work/$stub" "$target/$stub.tmp"
      mv "$target/$stub.tmp" "$target/$stub"  # a rename: the file is never half-written
    fi
  done
done
if ! $check; then
  echo "generated ${STUBS[*]} into ${TARGETS[*]}"
fi
exit $status
