package dev.recur.layers;

import dev.recur.engine.Activations;
import dev.recur.engine.FloatMatrix;
import dev.recur.engine.Gemm;
import dev.recur.engine.RowOps;
import dev.recur.engine.Transpose;
import dev.recur.engine.VectorOps;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Attention of decoder queries over a batch of encoded source sentences (Luong dot and general,
 * Bahdanau additive; see {@link AttentionScore}). For query {@code q_b} of sentence {@code b}:
 *
 * <pre>
 *   e[b][t] = score(q_b, k[t·B+b])            for t &lt; len_b (masked to −∞ for t ≥ len_b)
 *   α[b]    = softmax(e[b])                    (padding positions get weight 0)
 *   c_b     = Σ_t α[b][t] · k[t·B+b]
 * </pre>
 *
 * Keys are the encoder states, time-major {@code T·B × keyDim} (row {@code t·B + b}), as
 * {@link RecurrentStack} outputs them; they must be finite on padding rows (the stack writes 0).
 *
 * <p><b>Use per sentence batch.</b> {@link #setKeys} takes the keys and source lengths once and
 * computes the key side of the score once (general: {@code K·Wᵀ}; additive: {@code K·U_kᵀ + b}),
 * not per decoder step. Then {@link #forward} takes a block of {@code S} consecutive decoder steps
 * (queries {@code S·B × queryDim}, time-major, starting at step {@code firstStep}; {@code S = 1}
 * for a step-by-step decoder, all steps at once when the queries do not depend on the context) and
 * writes the contexts. In training, {@link #backward} takes each forwarded block's context gradient
 * (in any order) and writes the query gradient, accumulating parameter gradients and the key
 * gradient; {@link #backwardKeys} then adds the total key gradient of the sentence batch (the key
 * projection's backward done once) to the caller's matrix.
 *
 * <p>Parameters (PyTorch names, as a module with submodules {@code query}, {@code key}, {@code v}):
 * general {@code <name>.key.weight} (queryDim × keyDim, {@code nn.Linear(keyDim, queryDim,
 * bias=False)}); additive {@code <name>.query.weight} (attnDim × queryDim, no bias),
 * {@code <name>.key.weight} (attnDim × keyDim), {@code <name>.key.bias} (attnDim),
 * {@code <name>.v.weight} (1 × attnDim, no bias); dot none. Initialised as {@code nn.Linear}
 * (U(±1/√in)), drawn in that order from the generator.
 *
 * <p>All products are engine GEMMs (one per sentence of the batch over the whole step block, on
 * strided views of the time-major keys); softmax is the engine's; additive's tanh is the engine's
 * {@link Activations} kernel (SIMD or its scalar twin, as the engine dispatches). Small scalar glue: masking, the softmax backward {@code α ⊙ (dα − α·dα)} and
 * transposing the additive scores. The additive {@code tanh} matrix is recomputed in backward
 * rather than kept per step ({@code T·B × attnDim} per step would dominate memory).
 * Workspaces are allocated once, for {@code maxSourceSteps × maxBatch} keys and
 * {@code maxTargetSteps} decoder steps; nothing is allocated per call once the batch shape repeats.
 * Weights of every forwarded step stay readable ({@link #weight}) until the next {@link #setKeys}.
 * Not thread-safe: one caller at a time.
 */
public final class Attention implements Module {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private final AttentionScore score;
    private final int queryDim, keyDim, attnDim, maxT, maxS, maxB;
    private final Parameter keyWeight, keyBias, queryWeight, v;
    private final List<Parameter> parameters;

    // workspaces
    private final FloatMatrix proj, dProj, dKeysAcc;          // maxT·maxB rows, contiguous
    private final RowViews projRows, dProjRows, dKeysRows;
    private final MemorySegment weightStore;                   // per step s, row b: at (s·B + b)·T
    private final MemorySegment scratch;                       // a block's scores / dα / de, N × T
    private final MemorySegment qpStore, dQp, pre, dPre, eTm;  // additive only (else empty)
    private FloatMatrix scratchView;
    private int viewRows = -1, viewCols = -1;

    // the current sentence batch
    private FloatMatrix keys;
    private final int[] lengths;
    private int steps, batch;
    private boolean training;
    private final boolean[] forwarded;

    /** Luong dot attention ({@code queryDim == keyDim}); no parameters. */
    public static Attention dot(Arena arena, int dim, int maxSourceSteps, int maxTargetSteps, int maxBatch) {
        return new Attention(arena, "attention", AttentionScore.DOT, dim, dim, 0, maxSourceSteps, maxTargetSteps, maxBatch, null);
    }

    /** Luong general attention {@code e = q·(W k)}; parameter {@code <name>.key.weight}. */
    public static Attention general(Arena arena, String name, int queryDim, int keyDim,
                                    int maxSourceSteps, int maxTargetSteps, int maxBatch, SplittableRandom rng) {
        return new Attention(arena, name, AttentionScore.GENERAL, queryDim, keyDim, 0, maxSourceSteps, maxTargetSteps, maxBatch, rng);
    }

    /** Bahdanau additive attention {@code e = v·tanh(W_q q + U_k k + b)} with an {@code attnDim}-wide hidden layer. */
    public static Attention additive(Arena arena, String name, int queryDim, int keyDim, int attnDim,
                                     int maxSourceSteps, int maxTargetSteps, int maxBatch, SplittableRandom rng) {
        return new Attention(arena, name, AttentionScore.ADDITIVE, queryDim, keyDim, attnDim, maxSourceSteps, maxTargetSteps, maxBatch, rng);
    }

    private Attention(Arena arena, String name, AttentionScore score, int queryDim, int keyDim, int attnDim,
                      int maxSourceSteps, int maxTargetSteps, int maxBatch, SplittableRandom rng) {
        if (queryDim < 1 || keyDim < 1 || maxSourceSteps < 1 || maxTargetSteps < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("attention " + name + ": sizes must be ≥ 1, got queryDim=" + queryDim + ", keyDim="
                    + keyDim + ", maxSourceSteps=" + maxSourceSteps + ", maxTargetSteps=" + maxTargetSteps + ", maxBatch=" + maxBatch);
        }
        if (score == AttentionScore.DOT && queryDim != keyDim) {
            throw new IllegalArgumentException("dot attention needs equal query and key widths, got " + queryDim + " and " + keyDim
                    + "; use general or additive attention");
        }
        if (score == AttentionScore.ADDITIVE && attnDim < 1) {
            throw new IllegalArgumentException("additive attention " + name + ": attention width must be ≥ 1, got " + attnDim);
        }
        this.score = score;
        this.queryDim = queryDim;
        this.keyDim = keyDim;
        this.attnDim = attnDim;
        this.maxT = maxSourceSteps;
        this.maxS = maxTargetSteps;
        this.maxB = maxBatch;
        int rows = maxSourceSteps * maxBatch;
        switch (score) {
            case DOT -> {
                keyWeight = keyBias = queryWeight = v = null;
                parameters = List.of();
            }
            case GENERAL -> {
                keyWeight = param(arena, name + ".key.weight", queryDim, keyDim, keyDim, rng);
                keyBias = queryWeight = v = null;
                parameters = List.of(keyWeight);
            }
            default -> {
                queryWeight = param(arena, name + ".query.weight", attnDim, queryDim, queryDim, rng);
                keyWeight = param(arena, name + ".key.weight", attnDim, keyDim, keyDim, rng);
                keyBias = param(arena, name + ".key.bias", 1, attnDim, keyDim, rng);
                v = param(arena, name + ".v.weight", 1, attnDim, attnDim, rng);
                parameters = List.of(queryWeight, keyWeight, keyBias, v);
            }
        }
        int projWidth = score == AttentionScore.ADDITIVE ? attnDim : queryDim;
        boolean projected = score != AttentionScore.DOT;
        proj = FloatMatrix.allocate(arena, projected ? rows : 1, projWidth, projWidth);
        dProj = FloatMatrix.allocate(arena, projected ? rows : 1, projWidth, projWidth);
        dKeysAcc = FloatMatrix.allocate(arena, rows, keyDim, keyDim);
        projRows = new RowViews(proj);
        dProjRows = new RowViews(dProj);
        dKeysRows = new RowViews(dKeysAcc);
        long block = (long) maxTargetSteps * maxBatch * maxSourceSteps;
        weightStore = floats(arena, block);
        scratch = floats(arena, block);
        boolean add = score == AttentionScore.ADDITIVE;
        qpStore = floats(arena, add ? (long) maxTargetSteps * maxBatch * attnDim : 1);
        dQp = floats(arena, add ? (long) maxTargetSteps * maxBatch * attnDim : 1);
        pre = floats(arena, add ? (long) rows * attnDim : 1);
        dPre = floats(arena, add ? (long) rows * attnDim : 1);
        eTm = floats(arena, add ? rows : 1);
        lengths = new int[maxBatch];
        forwarded = new boolean[maxTargetSteps];
    }

    private static Parameter param(Arena arena, String name, int rows, int cols, int fanIn, SplittableRandom rng) {
        Parameter p = new Parameter(name, FloatMatrix.allocate(arena, rows, cols), FloatMatrix.allocate(arena, rows, cols));
        Init.uniform(p.value(), (float) (1.0 / Math.sqrt(fanIn)), rng);
        return p;
    }

    private static MemorySegment floats(Arena arena, long n) {
        return arena.allocate(Math.max(1, n) * Float.BYTES, FloatMatrix.ALIGNMENT);
    }

    public AttentionScore score() { return score; }

    public int queryDim() { return queryDim; }

    public int keyDim() { return keyDim; }

    /** The additive hidden width (0 for dot and general). */
    public int attentionDim() { return attnDim; }

    @Override
    public List<Parameter> parameters() { return parameters; }

    /**
     * Starts a sentence batch: {@code keys} ({@code steps·batch × keyDim}, time-major, kept by
     * reference until the next call) with {@code lengths[b]} in {@code [1, steps]}. Computes the
     * key projection once; in training mode clears the key-gradient accumulators.
     */
    public void setKeys(FloatMatrix keys, int[] lengths, int steps, int batch, boolean training) {
        if (steps < 1 || steps > maxT || batch < 1 || batch > maxB) {
            throw new IllegalArgumentException("attention: " + steps + " source steps × " + batch + " sentences exceed the "
                    + maxT + " × " + maxB + " it was built for");
        }
        keys.requireShape("attention keys", steps * batch, keyDim);
        SequencePooling.checkLengths(lengths, steps, batch);
        System.arraycopy(lengths, 0, this.lengths, 0, batch);
        this.keys = keys;
        this.steps = steps;
        this.batch = batch;
        this.training = training;
        Arrays.fill(forwarded, false);
        int n = steps * batch;
        if (score != AttentionScore.DOT) {
            FloatMatrix p = projRows.first(n);
            Gemm.sgemm(Transpose.N, Transpose.T, 1f, keys, keyWeight.value(), 0f, p);   // K·Wᵀ (general) or K·U_kᵀ
            if (keyBias != null) RowOps.addRowVector(p, keyBias.value());
        }
        if (training) {
            VectorOps.fill(0f, dKeysAcc.segment(), 0, n * keyDim);
            if (score != AttentionScore.DOT) VectorOps.fill(0f, dProj.segment(), 0, n * proj.cols());
        }
    }

    /**
     * Contexts of the decoder steps {@code firstStep … firstStep + S − 1}: {@code queries} is
     * {@code S·B × queryDim} (row {@code s·B + b}), {@code context} {@code S·B × keyDim}
     * (overwritten). The weights are kept for display and for {@link #backward}.
     */
    public void forward(FloatMatrix queries, int firstStep, FloatMatrix context) {
        int s = block(queries, firstStep, "queries", queryDim);
        context.requireShape("attention context", queries.rows(), keyDim);
        int b = batch, t = steps, n = s * b;
        if (score == AttentionScore.ADDITIVE) {
            additiveScores(queries, firstStep, s);
        } else {
            FloatMatrix sk = score == AttentionScore.DOT ? keys : projRows.first(t * b);
            int ldq = queries.ld(), ldk = sk.ld();
            for (int i = 0; i < b; i++) {   // e_b (S × T) = Q_b · K_bᵀ
                Gemm.sgemm(Transpose.N, Transpose.T, s, t, queryDim, 1f, queries.segment(), (long) i * ldq, b * ldq,
                        sk.segment(), (long) i * ldk, b * ldk, 0f, scratch, (long) i * t, b * t);
            }
        }
        maskedSoftmax(n);
        MemorySegment.copy(scratch, 0, weightStore, (long) firstStep * b * t * Float.BYTES, (long) n * t * Float.BYTES);
        int ldk = keys.ld(), ldc = context.ld();
        for (int i = 0; i < b; i++) {       // c_b (S × He) = α_b · K_b
            Gemm.sgemm(Transpose.N, Transpose.N, s, keyDim, t, 1f, scratch, (long) i * t, b * t,
                    keys.segment(), (long) i * ldk, b * ldk, 0f, context.segment(), (long) i * ldc, b * ldc);
        }
        if (training) Arrays.fill(forwarded, firstStep, firstStep + s, true);
    }

    /**
     * Backward of one forwarded block: {@code queries} are that block's queries, {@code dContext}
     * its context gradient; writes {@code dQueries} ({@code S·B × queryDim}, overwritten) and
     * accumulates the parameter gradients and the key gradient (see {@link #backwardKeys}).
     */
    public void backward(FloatMatrix queries, FloatMatrix dContext, int firstStep, FloatMatrix dQueries) {
        int s = block(queries, firstStep, "queries", queryDim);
        if (!training) throw new IllegalStateException("attention backward needs setKeys(..., training = true)");
        for (int k = firstStep; k < firstStep + s; k++) {
            if (!forwarded[k]) throw new IllegalStateException("attention backward of decoder step " + k + ", which was not forwarded");
        }
        dContext.requireShape("attention context gradient", queries.rows(), keyDim);
        dQueries.requireShape("attention query gradient", queries.rows(), queryDim);
        int b = batch, t = steps, n = s * b;
        long w0 = (long) firstStep * b * t;
        int ldk = keys.ld(), lddc = dContext.ld();
        for (int i = 0; i < b; i++) {
            // dα_b (S × T) = dC_b · K_bᵀ
            Gemm.sgemm(Transpose.N, Transpose.T, s, t, keyDim, 1f, dContext.segment(), (long) i * lddc, b * lddc,
                    keys.segment(), (long) i * ldk, b * ldk, 0f, scratch, (long) i * t, b * t);
            // dK_b (T × He) += α_bᵀ · dC_b
            Gemm.sgemm(Transpose.T, Transpose.N, t, keyDim, s, 1f, weightStore, w0 + (long) i * t, b * t,
                    dContext.segment(), (long) i * lddc, b * lddc, 1f, dKeysAcc.segment(), (long) i * keyDim, b * keyDim);
        }
        // softmax backward: de = α ⊙ (dα − Σ_t α·dα); masked positions have α = 0, so de = 0 there
        for (int r = 0; r < n; r++) {
            long row = (long) r * t;
            double dot = 0;
            for (int j = 0; j < t; j++) dot += (double) weightStore.getAtIndex(F, w0 + row + j) * scratch.getAtIndex(F, row + j);
            float d = (float) dot;
            for (int j = 0; j < t; j++) {
                scratch.setAtIndex(F, row + j, weightStore.getAtIndex(F, w0 + row + j) * (scratch.getAtIndex(F, row + j) - d));
            }
        }
        if (score == AttentionScore.ADDITIVE) {
            additiveBackward(queries, firstStep, s, dQueries);
            return;
        }
        FloatMatrix sk = score == AttentionScore.DOT ? keys : projRows.first(t * b);
        MemorySegment dsk = score == AttentionScore.DOT ? dKeysAcc.segment() : dProj.segment();
        int ldsk = sk.ld(), ldd = score == AttentionScore.DOT ? keyDim : proj.cols();
        int ldq = queries.ld(), lddq = dQueries.ld();
        for (int i = 0; i < b; i++) {
            // dQ_b (S × Hd) = de_b · K_b ;  dK_b (T × Hd) += de_bᵀ · Q_b
            Gemm.sgemm(Transpose.N, Transpose.N, s, queryDim, t, 1f, scratch, (long) i * t, b * t,
                    sk.segment(), (long) i * ldsk, b * ldsk, 0f, dQueries.segment(), (long) i * lddq, b * lddq);
            Gemm.sgemm(Transpose.T, Transpose.N, t, queryDim, s, 1f, scratch, (long) i * t, b * t,
                    queries.segment(), (long) i * ldq, b * ldq, 1f, dsk, (long) i * ldd, b * ldd);
        }
    }

    /**
     * Adds ({@code +=}) the gradient with respect to the keys of every block backwarded since
     * {@link #setKeys} to {@code dKeys} ({@code T·B × keyDim}), and accumulates the key
     * projection's parameter gradients, each once per sentence batch.
     */
    public void backwardKeys(FloatMatrix dKeys) {
        if (keys == null || !training) throw new IllegalStateException("attention backwardKeys needs setKeys(..., training = true)");
        int n = steps * batch;
        dKeys.requireShape("attention key gradient", n, keyDim);
        FloatMatrix acc = dKeysRows.first(n);
        if (score != AttentionScore.DOT) {
            FloatMatrix dp = dProjRows.first(n);
            Gemm.sgemm(Transpose.T, Transpose.N, 1f, dp, keys, 1f, keyWeight.grad());   // dW += dPᵀ·K
            if (keyBias != null) RowOps.addColumnSums(dp, keyBias.grad());
            Gemm.sgemm(Transpose.N, Transpose.N, 1f, dp, keyWeight.value(), 1f, acc);   // dK += dP·W
        }
        VectorOps.axpy(1f, acc, dKeys);
    }

    /** The weight of source position {@code t} for sentence {@code b} at a forwarded decoder step (0 past its length). */
    public float weight(int step, int b, int t) {
        if (step < 0 || step >= maxS || b < 0 || b >= batch || t < 0 || t >= steps) {
            throw new IndexOutOfBoundsException("attention weight (" + step + ", " + b + ", " + t + ") outside "
                    + maxS + " steps × " + batch + " sentences × " + steps + " source positions");
        }
        return weightStore.getAtIndex(F, ((long) step * batch + b) * steps + t);
    }

    /** Source steps of the current sentence batch. */
    public int sourceSteps() { return steps; }

    /** Sentences of the current batch. */
    public int batchSize() { return batch; }

    // ------------------------------------------------------------------ internals

    /**
     * Checks a block of query rows and returns its number of steps. Runs at every decoder step:
     * error messages are built only on the failing branch, so a good call allocates nothing.
     */
    private int block(FloatMatrix queries, int firstStep, String what, int width) {
        if (keys == null) throw new IllegalStateException("attention: call setKeys before forward");
        int n = queries.rows();
        if (n == 0 || n % batch != 0) {
            throw new IllegalArgumentException("attention " + what + ": " + n + " rows is not a whole number of steps of "
                    + batch + " sentences");
        }
        if (queries.cols() != width) queries.requireShape("attention " + what, n, width); // message built only on failure
        int s = n / batch;
        if (firstStep < 0 || firstStep + s > maxS) {
            throw new IllegalArgumentException("attention: decoder steps " + firstStep + "…" + (firstStep + s - 1)
                    + " outside the " + maxS + " it was built for");
        }
        return s;
    }

    /** Scores of padding positions to −∞, softmax per row of the block, padding weights exactly 0. */
    private void maskedSoftmax(int n) {
        int t = steps;
        for (int r = 0; r < n; r++) {
            int len = lengths[r % batch];
            if (len < t) VectorOps.fill(Float.NEGATIVE_INFINITY, scratch, (long) r * t + len, t - len);
        }
        if (n != viewRows || t != viewCols) {
            scratchView = FloatMatrix.wrap(scratch, n, t, t);
            viewRows = n;
            viewCols = t;
        }
        RowOps.softmaxRows(scratchView, scratchView);
        for (int r = 0; r < n; r++) {
            int len = lengths[r % batch];
            if (len < t) VectorOps.fill(0f, scratch, (long) r * t + len, t - len);
        }
    }

    /** Additive scores of a block into the scratch (rows s·B + b); keeps W_q·q of each step. */
    private void additiveScores(FloatMatrix queries, int firstStep, int s) {
        int b = batch, t = steps, n = s * b;
        // Q_p (S·B × A) = Q · W_qᵀ, kept for backward
        Gemm.sgemm(Transpose.N, Transpose.T, n, attnDim, queryDim, 1f, queries.segment(), 0, queries.ld(),
                queryWeight.value().segment(), 0, queryWeight.value().ld(), 0f, qpStore, (long) firstStep * b * attnDim, attnDim);
        FloatMatrix vv = v.value();
        for (int k = 0; k < s; k++) {
            tanhMatrix(firstStep + k);
            // e (T·B × 1) = H · vᵀ
            Gemm.sgemm(Transpose.N, Transpose.T, t * b, 1, attnDim, 1f, pre, 0, attnDim, vv.segment(), 0, vv.ld(), 0f, eTm, 0, 1);
            for (int i = 0; i < b; i++) {
                long row = (long) (k * b + i) * t;
                for (int j = 0; j < t; j++) scratch.setAtIndex(F, row + j, eTm.getAtIndex(F, (long) j * b + i));
            }
        }
    }

    /** pre (T·B × A) = tanh(K·U_kᵀ + b + W_q q_b) for decoder step {@code step}. */
    private void tanhMatrix(int step) {
        int width = batch * attnDim;   // source step j's B rows of K·U_kᵀ + b side by side, plus W_q q of the same B sentences
        Activations.tanhRows(steps, width, proj.segment(), 0, width, qpStore, (long) step * width, pre, 0, width);
    }

    private void additiveBackward(FloatMatrix queries, int firstStep, int s, FloatMatrix dQueries) {
        int b = batch, t = steps, n = s * b;
        int tb = t * b, size = tb * attnDim;
        long width = (long) b * attnDim;
        FloatMatrix vv = v.value(), vg = v.grad();
        for (int k = 0; k < s; k++) {
            for (int i = 0; i < b; i++) {
                long row = (long) (k * b + i) * t;
                for (int j = 0; j < t; j++) eTm.setAtIndex(F, (long) j * b + i, scratch.getAtIndex(F, row + j));
            }
            tanhMatrix(firstStep + k);
            // dv += deᵀ · H ;  dH = de · v
            Gemm.sgemm(Transpose.T, Transpose.N, 1, attnDim, tb, 1f, eTm, 0, 1, pre, 0, attnDim, 1f, vg.segment(), 0, vg.ld());
            Gemm.sgemm(Transpose.N, Transpose.N, tb, attnDim, 1, 1f, eTm, 0, 1, vv.segment(), 0, vv.ld(), 0f, dPre, 0, attnDim);
            // dPre = dH ⊙ (1 − H²)
            VectorOps.mul(pre, 0, pre, 0, pre, 0, size);
            VectorOps.mul(dPre, 0, pre, 0, pre, 0, size);
            VectorOps.axpy(-1f, pre, 0, dPre, 0, size);
            VectorOps.axpy(1f, dPre, 0, dProj.segment(), 0, size);
            long q = (long) k * width;
            VectorOps.fill(0f, dQp, q, (int) width);
            for (int j = 0; j < t; j++) VectorOps.axpy(1f, dPre, j * width, dQp, q, (int) width);
        }
        FloatMatrix wq = queryWeight.value(), gq = queryWeight.grad();
        // dW_q += dQpᵀ · Q ;  dQ = dQp · W_q
        Gemm.sgemm(Transpose.T, Transpose.N, attnDim, queryDim, n, 1f, dQp, 0, attnDim, queries.segment(), 0, queries.ld(),
                1f, gq.segment(), 0, gq.ld());
        Gemm.sgemm(Transpose.N, Transpose.N, n, queryDim, attnDim, 1f, dQp, 0, attnDim, wq.segment(), 0, wq.ld(),
                0f, dQueries.segment(), 0, dQueries.ld());
    }
}
