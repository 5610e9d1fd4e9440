package dev.recur.props.reference;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The attentional encoder–decoder of {@code dev.recur.layers.model.Seq2Seq} in double precision,
 * written from its equations with the other references ({@link RefRecurrent}, {@link RefCell},
 * {@link RefAttention}, {@link RefLinear}, {@link RefEmbedding}), one sentence and one step at a
 * time:
 * <pre>
 *   H = encoder(src)                               s₀ = tanh(W_b [h_fwd; h_bwd] + b_b)  (or h_N, no bridge)
 *   s_t = cell([E(y_{t−1}); h̃_{t−1}], s_{t−1})    c_t = attention(s_t; H)
 *   h̃_t = tanh(W_c [c_t; s_t] + b_c)               logits_t = W_o h̃_t + b_o
 *   L = mean over valid t, b of −(1−ε) log p_y − (ε/V) Σ_j log p_j
 * </pre>
 * Parameters under the model's names; their arrays are shared, so finite differences can perturb
 * them in place.
 */
public final class RefSeq2Seq {
    final RefCell cell;
    final int embed, encoderHidden, layers, decoderHidden, keyDim, targetVocab;
    final boolean bidirectional, inputFeeding, tied, bridged;
    final double smoothing;
    final RefEmbedding sourceEmbedding, targetEmbedding;
    final RefRecurrent encoder;
    final RefLinear bridge, bridgeCell, combine, out;
    final RefParam wIh, wHh, bIh, bHh;
    final RefAttention attention;
    private final Map<String, RefParam> params = new LinkedHashMap<>();

    /** @param score 0 dot, 1 general, 2 additive */
    public RefSeq2Seq(RefCell cell, int sourceVocab, int targetVocab, int embed, int encoderHidden, int layers, boolean bidirectional,
                      int decoderHidden, int score, int attentionDim, boolean inputFeeding, boolean tied, double smoothing) {
        this.cell = cell;
        this.embed = embed;
        this.encoderHidden = encoderHidden;
        this.layers = layers;
        this.bidirectional = bidirectional;
        this.decoderHidden = decoderHidden;
        this.inputFeeding = inputFeeding;
        this.tied = tied;
        this.smoothing = smoothing;
        this.targetVocab = targetVocab;
        keyDim = (bidirectional ? 2 : 1) * encoderHidden;
        bridged = bidirectional || encoderHidden != decoderHidden;
        sourceEmbedding = new RefEmbedding("encoder.embedding.", sourceVocab, embed);
        add(sourceEmbedding.weight);
        encoder = new RefRecurrent(cell, embed, encoderHidden, layers, bidirectional);
        for (RefParam p : encoder.parameters()) params.put("encoder.rnn." + p.name(), p);
        bridge = bridged ? new RefLinear("bridge.", keyDim, decoderHidden) : null;
        bridgeCell = bridged && cell == RefCell.LSTM ? new RefLinear("bridge_cell.", keyDim, decoderHidden) : null;
        if (bridge != null) { add(bridge.weight); add(bridge.bias); }
        if (bridgeCell != null) { add(bridgeCell.weight); add(bridgeCell.bias); }
        targetEmbedding = new RefEmbedding("decoder.embedding.", targetVocab, embed);
        add(targetEmbedding.weight);
        int g = cell.gates * decoderHidden, in = embed + (inputFeeding ? decoderHidden : 0);
        wIh = add(new RefParam("decoder.rnn.weight_ih_l0", new int[] {g, in}, new double[g * in]));
        wHh = add(new RefParam("decoder.rnn.weight_hh_l0", new int[] {g, decoderHidden}, new double[g * decoderHidden]));
        bIh = add(new RefParam("decoder.rnn.bias_ih_l0", new int[] {g}, new double[g]));
        bHh = add(new RefParam("decoder.rnn.bias_hh_l0", new int[] {g}, new double[g]));
        attention = new RefAttention(score, decoderHidden, keyDim, attentionDim);
        for (RefParam p : new RefParam[] {attention.queryWeight, attention.keyWeight, attention.keyBias, attention.v}) {
            if (p != null) params.put("decoder." + p.name(), p);
        }
        combine = new RefLinear("decoder.combine.", keyDim + decoderHidden, decoderHidden);
        add(combine.weight);
        add(combine.bias);
        out = new RefLinear("decoder.out.", decoderHidden, targetVocab);
        if (!tied) add(out.weight);
        add(out.bias);
    }

    private RefParam add(RefParam p) {
        params.put(p.name(), p);
        return p;
    }

    /** Every parameter under the model's name. */
    public List<RefParam> parameters() { return new ArrayList<>(params.values()); }

    public RefParam param(String name) {
        RefParam p = params.get(name);
        if (p == null) throw new IllegalArgumentException("no parameter " + name + " in " + params.keySet());
        return p;
    }

    /**
     * The mean loss of a batch: {@code source[T][B]} with {@code sourceLengths}, decoder inputs
     * {@code targetIn[S][B]} and outputs {@code targetOut[S][B]} over {@code targetLengths} steps.
     */
    public double loss(int[][] source, int[] sourceLengths, int[][] targetIn, int[][] targetOut, int[] targetLengths) {
        int batch = sourceLengths.length, steps = source.length, hd = decoderHidden;
        RefRecurrent.Result enc = encoder.forward(sourceEmbedding.apply(source), sourceLengths, null, null);
        double[] keys = new double[steps * batch * keyDim];
        for (int t = 0; t < steps; t++) for (int b = 0; b < batch; b++) System.arraycopy(enc.output()[t][b], 0, keys, (t * batch + b) * keyDim, keyDim);
        RefWeights w = new RefWeights(wIh.data(), wHh.data(), bIh.data(), bHh.data(), wIh.shape()[1], hd, cell.gates);
        double[] outW = tied ? targetEmbedding.weight.data() : out.weight.data();
        double sum = 0;
        int valid = 0;
        for (int b = 0; b < batch; b++) {
            double[] s = start(enc.hN(), b), c = cell == RefCell.LSTM ? start(enc.cN(), b) : new double[hd];
            if (bridged) {
                s = tanh(bridge.apply(new double[][] {s})[0]);
                if (cell == RefCell.LSTM) c = tanh(bridgeCell.apply(new double[][] {c})[0]);
            } else if (cell != RefCell.LSTM) {
                c = new double[hd];
            }
            double[] hTilde = new double[hd];
            int[] one = {sourceLengths[b]};
            double[] sentenceKeys = new double[steps * keyDim];
            for (int t = 0; t < steps; t++) System.arraycopy(keys, (t * batch + b) * keyDim, sentenceKeys, t * keyDim, keyDim);
            for (int t = 0; t < targetLengths[b]; t++) {
                double[] x = new double[wIh.shape()[1]];
                System.arraycopy(targetEmbedding.weight.data(), targetIn[t][b] * embed, x, 0, embed);
                if (inputFeeding) System.arraycopy(hTilde, 0, x, embed, hd);
                double[] sNew = new double[hd], cNew = new double[hd];
                cell.step(w, x, s, c, sNew, cNew);
                s = sNew;
                if (cell == RefCell.LSTM) c = cNew;
                double[] ctx = attention.context(s, sentenceKeys, one, steps, 1);
                double[] cat = new double[keyDim + hd];
                System.arraycopy(ctx, 0, cat, 0, keyDim);
                System.arraycopy(s, 0, cat, keyDim, hd);
                hTilde = tanh(combine.apply(new double[][] {cat})[0]);
                double[] logits = new double[targetVocab];
                for (int o = 0; o < targetVocab; o++) {
                    double z = out.bias.data()[o];
                    for (int i = 0; i < hd; i++) z += outW[o * hd + i] * hTilde[i];
                    logits[o] = z;
                }
                double max = Double.NEGATIVE_INFINITY;
                for (double z : logits) max = Math.max(max, z);
                double norm = 0;
                for (double z : logits) norm += Math.exp(z - max);
                double logZ = max + Math.log(norm), all = 0;
                for (double z : logits) all += z - logZ;
                sum += -(1 - smoothing) * (logits[targetOut[t][b]] - logZ) - smoothing / targetVocab * all;
                valid++;
            }
        }
        return sum / valid;
    }

    /** The top layer's final states of sentence b, directions side by side. */
    private double[] start(double[][][] finals, int b) {
        int d = bidirectional ? 2 : 1;
        double[] s = new double[d * encoderHidden];
        for (int k = 0; k < d; k++) System.arraycopy(finals[(layers - 1) * d + k][b], 0, s, k * encoderHidden, encoderHidden);
        return s;
    }

    private static double[] tanh(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]);
        return y;
    }
}
