package dev.recur.props;

import dev.recur.layers.AttentionScore;
import dev.recur.layers.Parameter;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.Seq2Seq;
import dev.recur.layers.model.Seq2SeqConfig;
import dev.recur.layers.rnn.CellType;
import dev.recur.props.reference.FiniteDifferences;
import dev.recur.props.reference.RefCell;
import dev.recur.props.reference.RefParam;
import dev.recur.props.reference.RefSeq2Seq;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * A whole training step of {@link Seq2Seq} (encoder, bridge, decoder cell, attention, combination,
 * output projection, label-smoothed cross-entropy; forward and backward) against the
 * double-precision reference {@link RefSeq2Seq} on generated small models — GRU and LSTM, 1–2
 * encoder layers, uni- and bidirectional, every attention score, input feeding on and off, tied
 * and untied output, label smoothing 0 or 0.1, unsorted ragged source and target lengths: the
 * float loss equals the reference's and the analytic gradient of every parameter equals centred
 * finite differences (in double) of the reference's loss.
 */
class Seq2SeqGradientProperties {
    static final double FWD_TOL = 1e-5, GRAD_TOL = 5e-5;
    static final int SV = 7, TV = 6, BOS = 2, EOS = 3;

    @Property(tries = 60)
    void stepGradientsMatchReference(
            @ForAll boolean lstm,
            @ForAll AttentionScore score,
            @ForAll @IntRange(min = 1, max = 2) int layers,
            @ForAll boolean bidirectional,
            @ForAll boolean inputFeeding,
            @ForAll boolean tied,
            @ForAll boolean smoothed,
            @ForAll @IntRange(min = 1, max = 4) int embed,
            @ForAll @IntRange(min = 1, max = 3) int encoderHidden,
            @ForAll @IntRange(min = 1, max = 4) int decoderHidden,
            @ForAll @IntRange(min = 1, max = 3) int attnDim,
            @ForAll @Size(min = 1, max = 3) List<@IntRange(min = 1, max = 4) Integer> sourceLengths,
            @ForAll @IntRange(min = 0, max = 1_000_000) long seed) {
        int keys = (bidirectional ? 2 : 1) * encoderHidden;
        int hd = score == AttentionScore.DOT ? keys : decoderHidden, e = tied ? hd : embed;
        int[] sl = sourceLengths.stream().mapToInt(Integer::intValue).toArray();
        int batch = sl.length, steps = Arrays.stream(sl).max().orElseThrow();
        SplittableRandom rng = new SplittableRandom(seed);
        int[] tl = new int[batch];
        for (int b = 0; b < batch; b++) tl[b] = 1 + rng.nextInt(3);
        int tsteps = Arrays.stream(tl).max().orElseThrow();
        float eps = smoothed ? 0.1f : 0f;
        Seq2SeqConfig cfg = new Seq2SeqConfig(lstm ? CellType.LSTM : CellType.GRU, SV, TV, e, encoderHidden, layers, bidirectional, hd,
                score, attnDim, inputFeeding, tied, 1f, eps, BOS, EOS);
        RefSeq2Seq ref = new RefSeq2Seq(lstm ? RefCell.LSTM : RefCell.GRU, SV, TV, e, encoderHidden, layers, bidirectional, hd,
                score.ordinal(), attnDim, inputFeeding, tied, eps);
        String where = cfg + " source " + Arrays.toString(sl) + " target " + Arrays.toString(tl) + ": ";

        int[][] src = new int[steps][batch], tin = new int[tsteps][batch], tout = new int[tsteps][batch];
        Batch source = new Batch(steps, batch).reset(steps, batch), target = new Batch(tsteps, batch).reset(tsteps, batch);
        for (int b = 0; b < batch; b++) {
            source.lengths()[b] = sl[b];
            target.lengths()[b] = tl[b];
            for (int t = 0; t < sl[b]; t++) source.setToken(t, b, src[t][b] = 1 + rng.nextInt(SV - 1));
            for (int t = 0; t < tl[b]; t++) {
                tin[t][b] = t == 0 ? BOS : tout[t - 1][b];
                tout[t][b] = t == tl[b] - 1 ? EOS : 4 + rng.nextInt(TV - 4);
                target.setToken(t, b, tin[t][b]);
                target.targets()[t * batch + b] = tout[t][b];
            }
        }
        try (Seq2Seq model = new Seq2Seq(cfg, seed, steps, tsteps, batch)) {
            List<Parameter> ps = model.parameters();
            if (ps.size() != ref.parameters().size()) throw new AssertionError(where + "parameters " + ps + " against " + ref.parameters());
            for (Parameter p : ps) {
                RefParam r = ref.param(p.name());
                double[] d = AttentionGradientProperties.random(rng, (int) p.size(), 0.8);
                if (p.name().endsWith("embedding.weight")) Arrays.fill(d, 0, p.cols(), 0);   // the padding row
                System.arraycopy(d, 0, r.data(), 0, d.length);
                p.value().copyFrom(AttentionGradientProperties.toFloat(d));
            }
            model.markGradDirty();
            model.zeroGrad();
            float loss = model.forward(source, target);
            model.backward();
            DoubleSupplier refLoss = () -> ref.loss(src, sl, tin, tout, tl);
            Tolerance.assertClose(where + "loss", new double[] {refLoss.getAsDouble()}, new double[] {loss}, FWD_TOL);
            for (Parameter p : ps) {
                double[] fd = FiniteDifferences.gradient(refLoss, ref.param(p.name()).data());
                if (p.name().equals("encoder.embedding.weight") || (p.name().equals("decoder.embedding.weight") && !tied)) {
                    Arrays.fill(fd, 0, p.cols(), 0);   // padding_idx: the padding row gets no gradient
                }
                Tolerance.assertClose(where + "grad." + p.name(), fd, AttentionGradientProperties.toDouble(p.grad().toArray()), GRAD_TOL);
            }
        }
    }
}
