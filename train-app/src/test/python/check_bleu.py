"""Checks Recur's corpus BLEU against sacreBLEU on the same output, and prints sacreBLEU's default score.

    train-app/src/test/python/check_bleu.sh runs/translate/test     # PREFIX of the files below

'translate' (after its test) and 'translate eval --write-text DIR' write, for a split NAME:
    NAME.hyp.tok    the model's translations, tokenized (tokens joined by single spaces)
    NAME.ref.tok    the references, tokenized the same way
    NAME.hyp.txt    the translations detokenized (running text)
    NAME.ref.txt    the reference lines as they are in the target file (the pairs kept)
    NAME.bleu.json  Recur's score of NAME.hyp.tok against NAME.ref.tok, and how the text was tokenized

1. sacreBLEU's corpus_bleu(hyps, [refs], tokenize='none', force=True) on the tokenized files must equal
   Recur's score to 0.01 (exit 1 otherwise).
2. sacreBLEU's default score (13a tokenizer, case-sensitive) of the detokenized translations against
   the raw references, and the same with lowercase=True (the usual figure for a lower-cased model).
"""
import json
import sys

import sacrebleu


def lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")[:-1]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check_bleu.py PREFIX   (PREFIX.hyp.tok, PREFIX.ref.tok, ... as written by translate)")
    p = sys.argv[1]
    recur = json.load(open(p + ".bleu.json", encoding="utf-8"))
    hyp_tok, ref_tok = lines(p + ".hyp.tok"), lines(p + ".ref.tok")
    hyp_txt, ref_txt = lines(p + ".hyp.txt"), lines(p + ".ref.txt")
    if not (len(hyp_tok) == len(ref_tok) == len(hyp_txt) == len(ref_txt) == recur["sentences"]):
        sys.exit(f"{p}: the files do not have {recur['sentences']} lines each")
    tok = sacrebleu.corpus_bleu(hyp_tok, [ref_tok], tokenize="none", force=True)
    diff = abs(tok.score - recur["bleu"])
    print(f"{p}: {recur['sentences']} sentences, tokenizer {recur['tokenizer']}, lower-cased: {recur['lowercase']}")
    print(f"  Recur BLEU (tokenized)                  {recur['bleu']:8.4f}")
    print(f"  sacreBLEU tokenize='none' (same text)   {tok.score:8.4f}   difference {diff:.6f}  {'ok' if diff <= 0.01 else 'MISMATCH'}")
    print(f"     {tok}")
    default_metric, lower_metric = sacrebleu.BLEU(), sacrebleu.BLEU(lowercase=True)
    default = default_metric.corpus_score(hyp_txt, [ref_txt])
    lower = lower_metric.corpus_score(hyp_txt, [ref_txt])
    print(f"  sacreBLEU default, detokenized          {default.score:8.4f}   {default}")
    print(f"     signature {default_metric.get_signature()}")
    print(f"  sacreBLEU default + lowercase           {lower.score:8.4f}   {lower}")
    print(f"     signature {lower_metric.get_signature()}")
    if diff > 0.01:
        sys.exit(1)


if __name__ == "__main__":
    main()
