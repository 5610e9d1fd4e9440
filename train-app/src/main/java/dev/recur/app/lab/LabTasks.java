package dev.recur.app.lab;

import dev.recur.app.run.Optimizers;
import dev.recur.app.run.UpdateGuard;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Linear;
import dev.recur.layers.Parameter;
import dev.recur.layers.optim.Adam;
import dev.recur.layers.optim.Optimizer;
import dev.recur.layers.optim.Sgd;
import dev.recur.layers.rnn.CellType;
import dev.recur.layers.rnn.DirectionMerge;
import dev.recur.layers.rnn.RecurrentConfig;
import dev.recur.layers.rnn.RecurrentLayer;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * The lab's two training experiments on the adding problem: a many-to-one regressor
 * ({@code RNN/LSTM/GRU → last step → Linear(H, 1)}, mean squared error) trained with Adam
 * ({@link #trainAdding}), and the same RNN started with scaled-up recurrent weights and trained
 * with plain SGD, with and without clipping ({@link #trainExploding}).
 */
public final class LabTasks {
    private LabTasks() { }

    /** One record per training step. */
    public record StepLog(int step, double loss, double gradNorm) { }

    /** How a training run ended. */
    public record Outcome(double testMse, List<StepLog> log, boolean diverged) { }

    /** A regressor on the adding problem. */
    static final class AddingNet implements AutoCloseable {
        final Arena arena = Arena.ofShared();
        final RecurrentLayer rnn;
        final Linear fc;
        final List<Parameter> params = new ArrayList<>();
        final int batch, length;
        final FloatMatrix x, pred, dPred, dLast, dY;
        final float[] xs, ys;

        /** {@code forgetBiasOne}: for an LSTM, start the forget gate open (bias 1, the usual practice). */
        AddingNet(CellType cell, int hidden, int length, int batch, long seed, boolean forgetBiasOne) {
            this.batch = batch;
            this.length = length;
            rnn = new RecurrentLayer("rnn.", new RecurrentConfig(cell, AddingProblem.features(), hidden, 1, false,
                    DirectionMerge.CONCAT, 0f, false, forgetBiasOne && cell == CellType.LSTM, seed), length, batch);
            fc = new Linear(arena, "fc", hidden, 1, new SplittableRandom(seed + 1));
            params.addAll(rnn.parameters());
            params.addAll(fc.parameters());
            x = FloatMatrix.allocate(arena, length * batch, AddingProblem.features());
            pred = FloatMatrix.allocate(arena, batch, 1);
            dPred = FloatMatrix.allocate(arena, batch, 1);
            dLast = FloatMatrix.allocate(arena, batch, hidden);
            dY = FloatMatrix.allocate(arena, length * batch, hidden);
            xs = new float[length * batch * AddingProblem.features()];
            ys = new float[batch];
        }

        /** Multiplies the recurrent weights by {@code factor} (to make gradients explode). */
        void scaleRecurrent(float factor) {
            FloatMatrix w = rnn.parameter("rnn.weight_hh_l0").value();
            for (int r = 0; r < w.rows(); r++) for (int c = 0; c < w.cols(); c++) w.set(r, c, w.get(r, c) * factor);
        }

        /** Mean squared error of a fresh batch; with {@code train}, gradients accumulate too. */
        double batch(AddingProblem data, boolean train) {
            data.next(batch, xs, ys);
            x.copyFrom(xs);
            FloatMatrix y = rnn.forward(x, batch, null, null, null, train);
            FloatMatrix last = y.rowRange((length - 1) * batch, batch);
            fc.forward(last, pred);
            double mse = 0;
            for (int b = 0; b < batch; b++) {
                double e = pred.get(b, 0) - ys[b];
                mse += e * e;
                dPred.set(b, 0, (float) (2 * e / batch));
            }
            mse /= batch;
            if (train) {
                fc.backward(last, dPred, dLast);
                dY.fill(0f);
                dY.rowRange((length - 1) * batch, batch).copyFrom(dLast);
                rnn.backward(dY, null, null);
            }
            return mse;
        }

        void zeroGrad() {
            rnn.zeroGrad();
            fc.zeroGrad();
        }

        @Override
        public void close() {
            rnn.close();
            arena.close();
        }
    }

    /**
     * Trains a regressor on the adding problem of the given length with Adam and gradient
     * clipping, then returns its mean squared error on 20 fresh batches (the baseline of always
     * answering 1 is {@link AddingProblem#BASELINE_MSE}).
     */
    public static Outcome trainAdding(CellType cell, int length, int hidden, int steps, int batch, double lr,
                                      double clipNorm, long seed, boolean forgetBiasOne, IntConsumer progress) {
        try (AddingNet net = new AddingNet(cell, hidden, length, batch, seed, forgetBiasOne);
             Optimizer opt = new Adam(net.params, (float) lr)) {
            AddingProblem train = new AddingProblem(length, seed * 7 + 1);
            List<StepLog> log = new ArrayList<>();
            for (int s = 1; s <= steps; s++) {
                net.zeroGrad();
                double loss = net.batch(train, true);
                float norm = UpdateGuard.check(net.params, (float) loss, s, clipNorm);
                opt.step();
                log.add(new StepLog(s, loss, norm));
                progress.accept(s);
            }
            AddingProblem test = new AddingProblem(length, seed * 7 + 2);
            double mse = 0;
            for (int i = 0; i < 20; i++) mse += net.batch(test, false);
            return new Outcome(mse / 20, log, false);
        }
    }

    /**
     * Trains a tanh RNN whose recurrent weights were multiplied by {@code scale} with plain SGD on
     * the adding problem, clipping the global gradient norm to {@code clipNorm} (0 = no clipping).
     * Logs loss and gradient norm (before clipping) per step; a non-finite loss or gradient ends
     * the run early (marked diverged) instead of failing.
     */
    public static Outcome trainExploding(int length, int hidden, float scale, int steps, int batch, double lr,
                                         double clipNorm, long seed, IntConsumer progress) {
        try (AddingNet net = new AddingNet(CellType.RNN_TANH, hidden, length, batch, seed, false);
             Optimizer opt = new Sgd(net.params, (float) lr)) {
            net.scaleRecurrent(scale);
            AddingProblem train = new AddingProblem(length, seed * 7 + 1);
            List<StepLog> log = new ArrayList<>();
            for (int s = 1; s <= steps; s++) {
                net.zeroGrad();
                double loss = net.batch(train, true);
                float norm = dev.recur.layers.optim.GradientClipping.globalNorm(net.params);
                log.add(new StepLog(s, loss, norm));
                progress.accept(s);
                if (!Double.isFinite(loss) || !Float.isFinite(norm)) return new Outcome(Double.NaN, log, true);
                if (clipNorm > 0) dev.recur.layers.optim.GradientClipping.clipGradNorm(net.params, (float) clipNorm);
                opt.step();
            }
            AddingProblem test = new AddingProblem(length, seed * 7 + 2);
            double mse = 0;
            for (int i = 0; i < 20; i++) mse += net.batch(test, false);
            return new Outcome(mse / 20, log, !Double.isFinite(mse));
        }
    }
}
