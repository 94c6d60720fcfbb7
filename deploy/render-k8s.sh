#!/usr/bin/env bash
# Renders charts/ids-moe with deploy/k8s-values.yaml into the plain manifests k8s/*.yaml (real Helm, in-process through
# helm-java: no helm binary needed). K8sManifestsTest fails in CI when k8s/ and the chart disagree.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
mvn -B -q -pl deploy -am test -Dtest=K8sManifestsTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dids.moe.k8s.write=true "$@"
git status --short k8s/
