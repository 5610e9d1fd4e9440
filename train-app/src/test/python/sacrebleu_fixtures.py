"""Writes the sacreBLEU reference scores that BleuTest compares Recur's corpus BLEU with.

Not a run-time dependency: sacreBLEU is used only here. Run from the project root:

    python3 -m venv /tmp/sb && /tmp/sb/bin/pip install sacrebleu==2.6.0
    /tmp/sb/bin/python train-app/src/test/python/sacrebleu_fixtures.py

Each case is a corpus of already tokenized sentences (tokens joined by single spaces, as Recur's
tokenizer output is joined), scored with sacreBLEU's corpus_bleu(tokenize='none', force=True) and
its default smoothing ('exp'), one reference per sentence. The corpora are drawn from a fixed seed
over a small vocabulary, so n-grams of every order match, with hypotheses shorter and longer
than the references (brevity penalty on and off), plus a few edge cases.
"""
import json
import pathlib
import random

import sacrebleu

OUT = pathlib.Path(__file__).resolve().parents[1] / "resources" / "translate" / "sacrebleu.json"
WORDS = "a man woman dog in the red blue shirt is are on street . , running two people".split()


def sentence(rng, lo, hi):
    return [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]


def noisy(rng, ref, p_change, p_drop, p_add):
    out = []
    for w in ref:
        r = rng.random()
        if r < p_drop:
            continue
        out.append(rng.choice(WORDS) if r < p_drop + p_change else w)
        if rng.random() < p_add:
            out.append(rng.choice(WORDS))
    return out or [rng.choice(WORDS)]


def main():
    rng = random.Random(20261201)
    cases = []
    for i in range(24):
        n = rng.randint(1, 40)
        refs = [sentence(rng, 1, 20) for _ in range(n)]
        p_drop = [0.0, 0.1, 0.3][i % 3]
        p_add = [0.0, 0.1, 0.3][(i // 3) % 3]
        hyps = [noisy(rng, r, rng.uniform(0, 0.6), p_drop, p_add) for r in refs]
        cases.append((f"random {i}", hyps, refs))
    cases.append(("identical", [["a", "man", "in", "a", "red", "shirt", "."]], [["a", "man", "in", "a", "red", "shirt", "."]]))
    cases.append(("papineni the", [["the"] * 7], ["the cat is on the mat".split()]))
    cases.append(("short corpus", [["a", "b"], ["c"]], [["a", "b", "c"], ["c", "d"]]))
    cases.append(("no match", [["x", "y", "z", "w"]], [["a", "b", "c", "d"]]))
    out = []
    for name, hyps, refs in cases:
        h = [" ".join(s) for s in hyps]
        r = [" ".join(s) for s in refs]
        score = sacrebleu.corpus_bleu(h, [r], tokenize="none", force=True)
        out.append({"name": name, "hypotheses": h, "references": r, "score": score.score,
                    "bp": score.bp, "counts": score.counts, "totals": score.totals})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"sacrebleu": sacrebleu.__version__, "cases": out}, indent=1) + "\n")
    print(f"wrote {len(out)} cases to {OUT}")


if __name__ == "__main__":
    main()
