#!/usr/bin/env bash
# Reproduces the two models that ship in models/: trains each on the dataset folder given (default
# ../shared/data/posters), exports it to ONNX, tunes thresholds and writes its report.
# poster-genre takes two runs: the recipe on the train split (thresholds tuned on validation), then
# its refit on train + validation (docs/training.md, "Refit"); the first run stays in
# runs/poster-genre-train-only. About 33 + 33 minutes for poster-genre and 49 for seed-baseline
# on 2 cores. Usage: scripts/train-shipped-models.sh [DATA_DIR] [MODEL...]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/posters}
shift || true
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(poster-genre seed-baseline)

bash scripts/setup-host.sh
dotnet build training/PosterGenre.Training -c Release -v quiet -nologo
train=training/PosterGenre.Training/bin/Release/net10.0/postergenre-train

# The version each model ships as (models/CHANGELOG.md); the API returns it with every answer.
declare -A versions=([poster-genre]=1.2.0 [seed-baseline]=1.0.0)

for arch in "${models[@]}"; do
  mkdir -p "models/$arch"
  if [ "$arch" = poster-genre ]; then
    mkdir -p runs/poster-genre-train-only
    echo "training $arch on the train split -> runs/poster-genre-train-only (log: train.log there)"
    "$train" train --data "$data" --out runs/poster-genre-train-only --arch "$arch" --seed 42 --model-version 1.1.0 2>&1 | tee runs/poster-genre-train-only/train.log
    echo "refitting $arch on train + validation -> models/$arch (log: models/$arch/train.log)"
    "$train" train --data "$data" --out "models/$arch" --arch "$arch" --seed 42 --refit runs/poster-genre-train-only --model-version "${versions[$arch]}" 2>&1 | tee "models/$arch/train.log"
  else
    echo "training $arch -> models/$arch (log: models/$arch/train.log)"
    "$train" train --data "$data" --out "models/$arch" --arch "$arch" --seed 42 --model-version "${versions[$arch]:-1.0.0}" 2>&1 | tee "models/$arch/train.log"
  fi
done
