#!/usr/bin/env bash
# Leave-one-source-out recipe rows on a lent GPU machine (issue #15 item 3), from the
# pack `python -m training.pack --cache CACHE --out carry --loso` made here. One device
# call (carry ["carry"], timeout_s 600), from the repository root:
#   bash training/gpu_loso.sh
# Rows, on the same pack, each fold in turn, EyePACS (the worst) first:
#   G0 R0's recipe (Lite0, 288 px): the baseline the others are compared with;
#   G1 Lite1;  G2 Lite0 with the ordinal loss term.
# After every fold the held-out scores, histories and configs (no checkpoints) are packed
# into $OUT/loso-results.tar.gz, so a run stopped at the time limit still brings back
# what finished. A fold is not started when the time left (LOSO_BUDGET_S, default 540 s,
# counted from the start) is less than the longest fold so far.
# Smoke test on a CPU: LOSO_DEVICE=cpu LOSO_WORKERS=0 LOSO_ARGS="--epochs 1
#   --samples-per-epoch 64" OUT=/tmp/out bash training/gpu_loso.sh  (a --per-set pack)
set -uo pipefail
cd "$(dirname "$0")/.."
: "${OUT:?OUT must name the folder that comes back}"
export PYTHONPATH="$PWD/app:$PWD:$PWD/carry/site${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
device=${LOSO_DEVICE:-cuda}
workers=${LOSO_WORKERS:-15}
budget=${LOSO_BUDGET_S:-540}
runs=${LOSO_RUNS:-/tmp/loso-runs}
read -r -a extra <<< "${LOSO_ARGS:-}"
mkdir -p "$runs" "$OUT"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total --format=csv | tee -a "$OUT/loso.log"
longest=0

collect() {
  tar -czf "$OUT/loso-results.tar.gz" -C "$runs" --exclude='*.pt' .
}

fold() {  # fold ROW SOURCE ARGS...
  local row=$1 source=$2
  shift 2
  local left=$((budget - SECONDS))
  if ((left < longest)); then
    echo "$row $source: not started, ${left}s left, a fold took ${longest}s" | tee -a "$OUT/loso.log"
    return 1
  fi
  local started=$SECONDS
  python3 -m training.loso --cache carry/loso.npz --out "$runs/$row" --device "$device" \
    --workers "$workers" --resume --sources "$source" "${extra[@]}" "$@" 2>&1 \
    | grep -v '^step ' | tee -a "$OUT/loso.log" | grep -E '^holdout|"auc"|Error|error' || true
  local took=$((SECONDS - started))
  ((took > longest)) && longest=$took
  echo "$row $source: ${took}s" | tee -a "$OUT/loso.log"
  collect
}

row() {  # row NAME ARGS...: every fold, stopping when time runs out
  local name=$1
  shift
  for source in eyepacs idrid rahim aptos; do
    fold "$name" "$source" "$@" || return 1
  done
}

row G0 --arch lite0 --imagenet-weights carry/lite0-imagenet.pt \
  && row G1 --arch lite1 --imagenet-weights carry/lite1-imagenet.pt \
  && row G2 --arch lite0 --ordinal-loss --imagenet-weights carry/lite0-imagenet.pt
for row_dir in "$runs"/G*; do
  [[ -d $row_dir ]] && python3 -m training.loso --out "$row_dir" --summary > /dev/null
done
collect
echo "done in ${SECONDS}s" | tee -a "$OUT/loso.log"
