#!/usr/bin/env bash
# The README's results table: evaluates every shipped model (the default's int8 file, which the
# service serves, its float file, and the ensemble poster-genre-best) on the test split they were trained with, beside the prior baseline, and writes docs/results/ (metrics.md, metrics.json, per model).
# Usage: scripts/results.sh [DATA_DIR]   (default ../shared/data/posters)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/posters}
bash scripts/setup-host.sh >/dev/null
dotnet build training/PosterGenre.Training -c Release -v quiet -nologo >/dev/null
training/PosterGenre.Training/bin/Release/net10.0/postergenre-train evaluate \
  --model models/poster-genre/poster-genre.int8.onnx --model models/poster-genre/poster-genre.onnx \
  --model models/poster-genre-best/poster-genre-best.onnx \
  --model models/poster-genre-fast/poster-genre-fast.onnx \
  --model models/seed-baseline/seed-baseline.onnx \
  --data "$data" --split models/poster-genre/split.csv --subset test --bootstrap 1000 --out docs/results
