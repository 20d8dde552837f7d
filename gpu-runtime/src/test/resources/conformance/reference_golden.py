#!/usr/bin/env python3
"""Golden numbers for a generated checkpoint, from the shared float64 reference (qwen35_ref.py), in the
golden.json prompt format: argmax per position and last logits from the full (chunked) forward, greedy
continuation from the cached token-by-token path, plus the top-1/top-2 margins that say how close a tie is.

usage: reference_golden.py REFERENCE_DIR CKPT_DIR NUM_GENERATE PROMPT_LENGTHS SEED [MAKE_CHECKPOINT_ARGS_JSON]
  PROMPT_LENGTHS: comma-separated; prompts are uniform random ids drawn with numpy's default_rng(SEED).
  MAKE_CHECKPOINT_ARGS_JSON: when given, first writes CKPT_DIR with make_checkpoint.py and those flags
  (one python start for both steps). Prints one JSON object.
"""
import json
import sys

ref_dir, ckpt, n_new = sys.argv[1], sys.argv[2], int(sys.argv[3])
lengths, seed = [int(n) for n in sys.argv[4].split(",")], int(sys.argv[5])
sys.dont_write_bytecode = True   # keep the shared reference folder free of __pycache__
sys.path.insert(0, ref_dir)
import numpy as np  # noqa: E402
import qwen35_ref  # noqa: E402

if len(sys.argv) > 6:
    import contextlib  # noqa: E402
    import make_checkpoint  # noqa: E402
    with contextlib.redirect_stdout(sys.stderr):
        make_checkpoint.main(["--out", ckpt] + json.loads(sys.argv[6]))

ref = qwen35_ref.Qwen35Reference(ckpt)
if ref.cfg.warnings:
    sys.exit("config warnings: %s" % ref.cfg.warnings)
rng = np.random.default_rng(seed)
prompts = [[int(t) for t in rng.integers(0, ref.cfg.vocab_size, n)] for n in lengths]


def margins(rows):
    s = np.sort(rows, axis=-1)
    return s[..., -1] - s[..., -2]


records = []
for p in prompts:
    logits = ref.forward(p)
    new, rows = ref.greedy(p, n_new, mode="incremental")
    records.append({
        "token_ids": p,
        "argmax": [int(i) for i in np.argmax(logits, axis=-1)],
        "last_logits": [float(x) for x in logits[-1]],
        "greedy_continuation": new,
        "min_top2_margin_prompt": float(np.min(margins(logits))),
        "min_top2_margin_continuation": float(np.min(margins(np.stack(rows)))) if rows else None,
    })
print(json.dumps({"config_summary": ref.cfg.summary(), "prompts": records}))
