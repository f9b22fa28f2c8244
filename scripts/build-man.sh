#!/usr/bin/env bash
# man/heapscan.1 is the concatenation of man/parts/*.roff in name order;
# each part documents one area and lives beside the work that changes it.
set -euo pipefail
cd "$(dirname "$0")/.."
cat man/parts/*.roff > man/heapscan.1
