#!/bin/sh
# Waits until the cluster serves, creates the namespace with its retention when it does not exist
# (an existing one is left as it is: `kyc setup` reports its retention), then waits until the
# frontend serves it.
#
# One step, two callers: docker-compose.yml's `temporal-namespace` job (admin-tools image) and
# scripts/cluster.sh. Reads TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and RETENTION; uses the
# `temporal` CLI on PATH.
set -eu
: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS must name the frontend (host:port)}"
: "${TEMPORAL_NAMESPACE:=default}"
: "${RETENTION:=40d}"

# Bounded waits: a cluster that never comes up fails the step, with the reason on stderr.
i=0
until temporal operator cluster health 2>/dev/null | grep -q SERVING; do
  i=$((i + 1))
  if [ "$i" -ge 60 ]; then
    echo "the cluster at $TEMPORAL_ADDRESS is not serving after 120s" >&2
    exit 1
  fi
  sleep 2
done

if temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $TEMPORAL_NAMESPACE: exists"
else
  temporal operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention "$RETENTION"
fi
# A new namespace reaches the frontend's cache within seconds; wait for it (bounded).
i=0
until temporal operator search-attribute list --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; do
  i=$((i + 1))
  if [ "$i" -ge 60 ]; then
    echo "namespace $TEMPORAL_NAMESPACE not served after 120s" >&2
    exit 1
  fi
  sleep 2
done
echo "namespace $TEMPORAL_NAMESPACE: ready"
