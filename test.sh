#!/usr/bin/env bash
# The project's test command (README): unit tests, conformance and integration tests of every module.
set -euo pipefail
cd "$(dirname "$0")"
exec mvn -B verify "$@"
