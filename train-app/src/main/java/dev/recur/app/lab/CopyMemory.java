package dev.recur.app.lab;

import dev.recur.app.core.AppException;
import java.util.SplittableRandom;

/**
 * The copy-memory task (Hochreiter &amp; Schmidhuber 1997; Arjovsky et al. 2016): the model reads
 * {@code S} random symbols from {@code 1…A}, then {@code delay} blanks (id 0), then a delimiter
 * (id {@code A+1}), then {@code S-1} more blanks, and must output the {@code S} symbols during the
 * last {@code S} steps; before that its target is the blank. Sequence length is
 * {@code delay + 2·S}. Always answering blanks, then a uniform guess, costs
 * {@code S·ln A / (delay + 2S)} nats per step: the baseline to beat.
 */
public final class CopyMemory {
    private final int symbols;
    private final int alphabet;
    private final int delay;
    private final SplittableRandom rng;

    public CopyMemory(int symbols, int alphabet, int delay, long seed) {
        if (symbols < 1 || alphabet < 2 || delay < 0) {
            throw new AppException("copy task needs ≥ 1 symbol, an alphabet of ≥ 2 and a delay ≥ 0");
        }
        this.symbols = symbols;
        this.alphabet = alphabet;
        this.delay = delay;
        this.rng = new SplittableRandom(seed);
    }

    /** Steps per sequence. */
    public int length() { return delay + 2 * symbols; }

    /** Number of distinct input/target ids: blank, the symbols and the delimiter. */
    public int vocabulary() { return alphabet + 2; }

    public int delimiter() { return alphabet + 1; }

    /** Loss in nats per step of the best memoryless answer. */
    public double baselineLoss() { return symbols * Math.log(alphabet) / length(); }

    /** Fills one batch of ids, time-major {@code [T][B]}. */
    public void next(int batch, int[] inputs, int[] targets) {
        int len = length();
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < len; t++) {
                inputs[t * batch + b] = 0;
                targets[t * batch + b] = 0;
            }
            for (int s = 0; s < symbols; s++) {
                int sym = 1 + rng.nextInt(alphabet);
                inputs[s * batch + b] = sym;
                targets[(len - symbols + s) * batch + b] = sym;
            }
            inputs[(symbols + delay) * batch + b] = delimiter();
        }
    }
}
