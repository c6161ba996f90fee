#!/bin/sh
# Registers our search attributes in the namespace (`kyc setup`: idempotent) and checks its
# retention against the longest verification lifetime.
#
# One step, two callers: docker-compose.yml's `kyc-setup` job (our image, /app) and
# scripts/cluster.sh (a checkout, after `npm ci`). Reads the Temporal settings as every kyc
# command does; KYC_HOME is the folder that holds bin/kyc.js (default: the current one).
set -eu
exec node "${KYC_HOME:-.}/bin/kyc.js" setup
