#!/usr/bin/env bash
# Saves a running service's answers to the test fixtures, one file per request (status line, then
# the body with the fields that differ per request or start (elapsedMs, traceId, requestId, loadedUtc) removed), so that two
# builds can be compared with diff -r: every fixture poster and image alone, the posters as one
# batch, an explanation, each shipped model, and a few bad requests.
# Usage: scripts/api-answers.sh URL OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
url=${1:?URL of a running service} out=${2:?folder for the answers}
mkdir -p "$out"

# ask NAME CURL_ARGS...: one request to the predictions endpoint, saved as NAME.
ask() {
  local name=$1
  shift
  curl -s -w '\n%{http_code}\n' "$@" >"$out/$name.raw"
  { tail -n 1 "$out/$name.raw"; head -n -1 "$out/$name.raw" | sed -E 's/"(elapsedMs)":[0-9.eE+-]+,?//g; s/"(traceId|requestId|loadedUtc)":"[^"]*",?//g'; } >"$out/$name"
  rm "$out/$name.raw"
}

batch=()
for file in tests/fixtures/posters/* tests/fixtures/images/*; do
  ask "$(basename "$file").json" -F "posters=@$file" "$url/api/v1/predictions"
done
for file in tests/fixtures/posters/*; do batch+=(-F "posters=@$file"); done
ask batch.json "${batch[@]}" "$url/api/v1/predictions"
first=$(ls tests/fixtures/posters/* | head -n 1)
ask explain.json -F "posters=@$first" "$url/api/v1/predictions?explain=true"
for model in poster-genre poster-genre-fast seed-baseline; do
  ask "model-$model.json" -F "posters=@$first" "$url/api/v1/predictions?model=$model"
done
ask unknown-model.json -F "posters=@$first" "$url/api/v1/predictions?model=nope"
ask no-file.json -X POST "$url/api/v1/predictions"
ask models.json "$url/api/v1/models"
echo "api-answers: $(ls "$out" | wc -l) answers in $out"
