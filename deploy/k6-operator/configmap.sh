#!/usr/bin/env bash
# Prints the ConfigMap that holds every bundle in dist/ (build them first: npm run build).
#   deploy/k6-operator/configmap.sh | kubectl apply -f -
set -euo pipefail
cd "$(dirname "$0")/../.."
ls dist/*.js >/dev/null 2>&1 || { echo "no bundles in dist/: run npm run build first" >&2; exit 1; }
exec kubectl create configmap k6-socketio-scripts --from-file=dist/ --dry-run=client -o yaml
