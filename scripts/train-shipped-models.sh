#!/usr/bin/env bash
# Reproduces the two models that ship in models/: trains each on the dataset folder given (default
# ../shared/data/posters), exports it to ONNX, tunes thresholds and writes its report.
# poster-genre 1.3.1 is distilled from runs of its own recipe (docs/training.md, "Distillation"),
# six runs of about 33 minutes each on 2 cores, all kept under runs/, then calibrated:
#   1. the recipe on the train split, seed 42 (1.1.0; thresholds tuned on validation)
#   2. the recipe on the same split, seed 7
#   3-4. each refitted on train + validation (docs/training.md, "Refit"; 3 is 1.2.0)
#   5. the student: the recipe, seed 42, on the train split, taught by runs 1 and 2
#   6. the student refitted on train + validation, taught by runs 3 and 4 -> models/poster-genre (1.3.0)
#   7. its probabilities calibrated on run 5's validation posters, in place (seconds; docs/training.md,
#      "Calibration") -> 1.3.1
# seed-baseline is one run of about 49 minutes.
# Usage: scripts/train-shipped-models.sh [DATA_DIR] [MODEL...]
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
declare -A versions=([poster-genre]=1.3.1 [seed-baseline]=1.0.0)

# run OUT_DIR ARGS...: one training run, its log in OUT_DIR/train.log.
run() {
  local out=$1
  shift
  mkdir -p "$out"
  echo "training -> $out (log: $out/train.log)"
  "$train" train --data "$data" --out "$out" "$@" 2>&1 | tee "$out/train.log"
}

for arch in "${models[@]}"; do
  if [ "$arch" = poster-genre ]; then
    r=runs/poster-genre
    run $r-seed-42 --arch "$arch" --seed 42 --model-version 1.1.0
    run $r-seed-7 --arch "$arch" --seed 7 --split $r-seed-42/split.csv
    run $r-seed-42-refit --arch "$arch" --seed 42 --refit $r-seed-42 --model-version 1.2.0
    run $r-seed-7-refit --arch "$arch" --seed 7 --refit $r-seed-7
    run $r-student --arch "$arch" --seed 42 --split $r-seed-42/split.csv \
      --teacher $r-seed-42/$arch.onnx --teacher $r-seed-7/$arch.onnx --distill 0.5 --pos-weight none
    run "models/$arch" --arch "$arch" --seed 42 --refit $r-student \
      --teacher $r-seed-42-refit/$arch.onnx --teacher $r-seed-7-refit/$arch.onnx --distill 0.5 --pos-weight none \
      --model-version 1.3.0
    "$train" calibrate --model "models/$arch/$arch.onnx" --data "$data" --from $r-student \
      --out "models/$arch" --model-version "${versions[$arch]}"
  else
    run "models/$arch" --arch "$arch" --seed 42 --model-version "${versions[$arch]:-1.0.0}"
  fi
done
