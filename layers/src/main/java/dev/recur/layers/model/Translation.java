package dev.recur.layers.model;

/**
 * One decoded sentence of {@link Seq2Seq#greedy} or {@link Seq2Seq#beamSearch}.
 *
 * @param tokens    the output token ids, without {@code <bos>} and {@code <eos>}
 * @param logProb   the sum of the log-probabilities of every emitted token ({@code <eos>} included when emitted)
 * @param score     the search's own score: {@code logProb} for greedy, the length-normalised score for beam search
 * @param ended     true when the sentence ended with {@code <eos>} (false when it stopped at the maximum length)
 * @param attention attention weights, {@code attention[step][sourcePosition]}: one row per emitted
 *                  token ({@code <eos>} included), one column per source token of the sentence; rows sum to 1
 */
public record Translation(int[] tokens, float logProb, float score, boolean ended, float[][] attention) {}
