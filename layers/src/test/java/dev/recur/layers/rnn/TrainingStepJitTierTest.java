package dev.recur.layers.rnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.engine.FloatMatrix;
import dev.recur.engine.OptimizerKernels;
import dev.recur.engine.RowOps;
import dev.recur.engine.VectorOps;
import dev.recur.layers.Parameter;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A whole training step of each cell type — recurrent forward and backward (with inter-layer
 * dropout and a bidirectional layer), a softmax head's gradient, clipping by the global norm, an
 * Adam update — gives the same bits compiled by C2 (this JVM, after warm-up) as interpreted (a
 * child JVM with {@code -Xint}): the weights after three steps are hashed bit by bit.
 */
class TrainingStepJitTierTest {

    /** Child JVM entry: prints one "cell hash" line per configuration. */
    public static void main(String[] args) {
        for (String line : run(1)) System.out.println(line);
    }

    private static final RecurrentConfig[] CONFIGS = {
            RecurrentConfig.of(CellType.RNN_TANH, 6, 20).withSeed(1),
            RecurrentConfig.of(CellType.RNN_RELU, 6, 20).withSeed(2),
            RecurrentConfig.of(CellType.GRU, 6, 20).withSeed(3),
            RecurrentConfig.of(CellType.LSTM, 6, 20).withSeed(4).withLayers(2).withDropout(0.25f),
            RecurrentConfig.of(CellType.LSTM, 6, 20).withSeed(5).withBidirectional(DirectionMerge.CONCAT)};

    /** Trains every configuration for three steps (repeated {@code rounds} times from scratch); the last round's hashes. */
    static List<String> run(int rounds) {
        List<String> out = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            out.clear();
            for (RecurrentConfig cfg : CONFIGS) out.add(cfg.cell() + " " + train(cfg));
        }
        return out;
    }

    private static String train(RecurrentConfig cfg) {
        int t = 5, b = 4, classes = 3;
        int[] lengths = {5, 4, 4, 2};
        try (Arena arena = Arena.ofShared(); RecurrentLayer l = new RecurrentLayer("r.", cfg, t, b)) {
            FloatMatrix x = GradientCheckTest.random(arena, t * b, cfg.inputSize(), new Random(7));
            FloatMatrix dOut = FloatMatrix.allocate(arena, t * b, cfg.outputSize());
            FloatMatrix probs = FloatMatrix.allocate(arena, t * b, classes);
            List<FloatMatrix[]> adam = new ArrayList<>();
            for (Parameter p : l.parameters()) {
                adam.add(new FloatMatrix[] {FloatMatrix.allocate(arena, p.rows(), p.cols()), FloatMatrix.allocate(arena, p.rows(), p.cols())});
            }
            for (int step = 1; step <= 3; step++) {
                for (Parameter p : l.parameters()) p.zeroGrad();
                FloatMatrix y = l.forward(x, b, lengths, null, null, true);
                // a linear "head" read off the first outputs, softmax, gradient = p − onehot
                for (int r = 0; r < t * b; r++) for (int c = 0; c < classes; c++) probs.set(r, c, y.get(r, c));
                RowOps.softmaxRows(probs, probs);
                dOut.fill(0f);
                for (int r = 0; r < t * b; r++) {
                    for (int c = 0; c < classes; c++) dOut.set(r, c, probs.get(r, c) - (c == r % classes ? 1f : 0f));
                }
                l.backward(dOut, null, null);
                double sq = 0;
                for (Parameter p : l.parameters()) sq += VectorOps.sumOfSquares(p.grad());
                float scale = (float) Math.min(1, 0.5 / Math.sqrt(sq));
                for (int i = 0; i < l.parameters().size(); i++) {
                    Parameter p = l.parameters().get(i);
                    VectorOps.scale(scale, p.grad());
                    OptimizerKernels.adam(p.value(), p.grad(), adam.get(i)[0], adam.get(i)[1], 0.01, 0.9, 0.999, 1e-8, 0, step);
                }
            }
            long h = 1125899906842597L;
            for (Parameter p : l.parameters()) {
                for (float v : p.value().toArray()) h = 31 * h + Float.floatToRawIntBits(v);
            }
            return Long.toHexString(h);
        }
    }

    @Test
    void trainingStepsOfEveryCellTypeGiveTheSameBitsInterpretedAndCompiled() throws Exception {
        List<String> hot = run(150); // warm: C2 compiles the kernels and the layer
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(List.of(java, "-Xint", "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Drecur.threads=1", "-cp", cp, TrainingStepJitTierTest.class.getName()))
                .redirectErrorStream(true).start();
        String text = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(300, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, child.exitValue(), text);
        assertEquals(hot, text.lines().filter(s -> !s.startsWith("WARNING")).toList(), "C2 (this JVM) against -Xint (child JVM)");
    }
}
