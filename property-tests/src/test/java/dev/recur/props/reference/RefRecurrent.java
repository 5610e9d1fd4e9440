package dev.recur.props.reference;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recurrent sequence layer (RNN, LSTM or GRU; stacked; optionally bidirectional; ragged
 * lengths) in double precision, with PyTorch's equations ({@link RefCell}), parameter names and
 * state layout. Slow, plain and obviously right: the specification Recur is tested against.
 *
 * <p>Shapes (time-major, as Recur and {@code torch.nn.LSTM} without {@code batch_first}):
 * input {@code x[T][B][F]}; output {@code y[T][B][D·H]} (directions concatenated, forward first);
 * states {@code h[L·D][B][H]} indexed {@code layer·D + direction}.
 *
 * <p>With {@code sumDirections} a bidirectional layer outputs {@code h_fwd + h_rev} (H wide) instead
 * of the concatenation, and layers above read H features.
 *
 * <p>Lengths: sequence {@code b} has {@code len[b]} valid steps. The forward direction reads steps
 * {@code 0 … len−1}, the reverse direction {@code len−1 … 0}; steps at or past {@code len} neither
 * change the state nor produce output (their output is 0) — exactly {@code pack_padded_sequence}.
 * The final state of a direction is its state after its last valid step.
 */
public final class RefRecurrent {
    public final RefCell cell;
    public final int inputSize;
    public final int hiddenSize;
    public final int numLayers;
    public final boolean bidirectional;
    public final boolean sumDirections;
    private final Map<String, RefParam> params = new LinkedHashMap<>();

    /** The result of a forward pass. {@code cN} is null unless the cell is an LSTM. */
    public record Result(double[][][] output, double[][][] hN, double[][][] cN, double reluMargin) {}

    /** A layer with all parameters zero; fill them with {@link #param(String)}. */
    public RefRecurrent(RefCell cell, int inputSize, int hiddenSize, int numLayers, boolean bidirectional) {
        this(cell, inputSize, hiddenSize, numLayers, bidirectional, false);
    }

    /** As above; {@code sumDirections} adds the two directions' outputs instead of concatenating them. */
    public RefRecurrent(RefCell cell, int inputSize, int hiddenSize, int numLayers, boolean bidirectional,
                        boolean sumDirections) {
        this.sumDirections = bidirectional && sumDirections;
        this.cell = cell;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.bidirectional = bidirectional;
        int rows = cell.gates * hiddenSize;
        for (int l = 0; l < numLayers; l++) {
            int in = l == 0 ? inputSize : outputSize();
            for (int d = 0; d < directions(); d++) {
                String sfx = "_l" + l + (d == 1 ? "_reverse" : "");
                add("weight_ih" + sfx, rows, in);
                add("weight_hh" + sfx, rows, hiddenSize);
                add("bias_ih" + sfx, rows);
                add("bias_hh" + sfx, rows);
            }
        }
    }

    private void add(String name, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        params.put(name, new RefParam(name, shape, new double[n]));
    }

    public int directions() {
        return bidirectional ? 2 : 1;
    }

    /** Width of every layer's output: 2H when the directions are concatenated, else H. */
    public int outputSize() {
        return bidirectional && !sumDirections ? 2 * hiddenSize : hiddenSize;
    }

    /** Every parameter in PyTorch's order (layer, direction, weight_ih, weight_hh, bias_ih, bias_hh). */
    public List<RefParam> parameters() {
        return new ArrayList<>(params.values());
    }

    /** The parameter of that PyTorch name, e.g. {@code weight_hh_l1_reverse}. */
    public RefParam param(String name) {
        RefParam p = params.get(name);
        if (p == null) throw new IllegalArgumentException("no parameter " + name + " in " + params.keySet());
        return p;
    }

    private RefWeights weights(int layer, int dir) {
        String sfx = "_l" + layer + (dir == 1 ? "_reverse" : "");
        int in = layer == 0 ? inputSize : outputSize();
        return new RefWeights(param("weight_ih" + sfx).data(), param("weight_hh" + sfx).data(),
                param("bias_ih" + sfx).data(), param("bias_hh" + sfx).data(), in, hiddenSize, cell.gates);
    }

    /** Full forward pass over all steps; {@code h0}, {@code c0} may be null (zero initial state). */
    public Result forward(double[][][] x, int[] lengths, double[][][] h0, double[][][] c0) {
        return forward(x, lengths, 0, x.length, h0, c0);
    }

    /**
     * Forward over the window of steps {@code [t0, t1)} only, starting from the given state (the
     * state carried in from the previous window in truncated BPTT). Output has {@code t1 − t0} steps.
     * A reverse direction only makes sense over the whole sequence, so windows need a
     * unidirectional layer.
     */
    public Result forward(double[][][] x, int[] lengths, int t0, int t1, double[][][] h0, double[][][] c0) {
        int steps = t1 - t0;
        int batch = lengths.length;
        int hs = hiddenSize;
        if (bidirectional && (t0 != 0 || t1 != x.length)) {
            throw new IllegalArgumentException("a bidirectional layer runs over whole sequences, not windows");
        }
        double[][][] hN = new double[numLayers * directions()][batch][hs];
        double[][][] cN = new double[numLayers * directions()][batch][hs];
        double margin = Double.POSITIVE_INFINITY;
        double[][][] layerIn = new double[steps][][];
        for (int t = 0; t < steps; t++) layerIn[t] = x[t0 + t];
        for (int l = 0; l < numLayers; l++) {
            double[][][] layerOut = new double[steps][batch][outputSize()];
            for (int d = 0; d < directions(); d++) {
                RefWeights w = weights(l, d);
                int s = l * directions() + d;
                for (int b = 0; b < batch; b++) {
                    double[] h = h0 == null ? new double[hs] : h0[s][b].clone();
                    double[] c = c0 == null ? new double[hs] : c0[s][b].clone();
                    int end = Math.min(t1, lengths[b]);           // absolute index past the last valid step
                    for (int k = 0; k < end - t0; k++) {
                        int t = d == 0 ? k : end - t0 - 1 - k;    // the reverse direction reads backwards
                        double[] xt = layerIn[t][b];
                        margin = Math.min(margin, cell.reluMargin(w, xt, h));
                        double[] hNew = new double[hs];
                        double[] cNew = new double[hs];
                        cell.step(w, xt, h, c, hNew, cNew);
                        h = hNew;
                        if (cell.hasCellState()) c = cNew;
                        if (sumDirections) {
                            for (int j = 0; j < hs; j++) layerOut[t][b][j] += h[j];
                        } else {
                            System.arraycopy(h, 0, layerOut[t][b], d * hs, hs);
                        }
                    }
                    hN[s][b] = h;
                    cN[s][b] = c;
                }
            }
            layerIn = layerOut;
        }
        return new Result(layerIn, hN, cell.hasCellState() ? cN : null, margin);
    }
}
