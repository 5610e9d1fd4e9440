package dev.recur.layers;

import dev.recur.engine.FloatMatrix;
import dev.recur.engine.Gemm;
import dev.recur.engine.RowOps;
import dev.recur.engine.ScalarActivations;
import dev.recur.engine.Transpose;
import java.lang.foreign.Arena;
import java.util.List;

/**
 * One step of a GRU cell with the weights of an existing GRU layer (shared, not copied): the step
 * PyTorch runs when a module calls its {@code nn.GRU} again on a sequence of length 1 from a given
 * h0, as SegRNN's parallel decoder does. PyTorch's equations and gate order (r, z, n):
 * <pre>
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr)      z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))      h' = (1 − z) ⊙ n + z ⊙ h
 * </pre>
 * {@link #backward} accumulates into the shared parameters' gradients, so a model that runs the
 * layer and this step sums both uses' gradients, as autograd does. Lists no parameters of its own
 * (the layer lists them). Rows are samples; workspace for {@code maxRows} rows.
 */
public final class GruStep implements Module {
    private final Parameter wIh, wHh, bIh, bHh;
    private final int hidden, inputs;
    private final RowViews gi, gh, r, z, n, dGi, dGh;
    private FloatMatrix x, h0, giV, ghV;
    private int rows;

    /**
     * @param weightIh {@code weight_ih_l0} (3H × in), {@code weightHh} (3H × H), {@code biasIh} and
     *                 {@code biasHh} (1 × 3H) of a GRU layer
     */
    public GruStep(Arena arena, Parameter weightIh, Parameter weightHh, Parameter biasIh, Parameter biasHh, int maxRows) {
        wIh = weightIh;
        wHh = weightHh;
        bIh = biasIh;
        bHh = biasHh;
        hidden = weightHh.cols();
        inputs = weightIh.cols();
        if (weightIh.rows() != 3 * hidden || weightHh.rows() != 3 * hidden || biasIh.cols() != 3 * hidden || biasHh.cols() != 3 * hidden) {
            throw new IllegalArgumentException("GruStep needs GRU weights 3H × in, 3H × H and biases 3H, got " + weightIh + ", "
                    + weightHh + ", " + biasIh + ", " + biasHh);
        }
        gi = views(arena, maxRows, 3 * hidden);
        gh = views(arena, maxRows, 3 * hidden);
        dGi = views(arena, maxRows, 3 * hidden);
        dGh = views(arena, maxRows, 3 * hidden);
        r = views(arena, maxRows, hidden);
        z = views(arena, maxRows, hidden);
        n = views(arena, maxRows, hidden);
    }

    private static RowViews views(Arena arena, int rows, int cols) { return new RowViews(FloatMatrix.allocate(arena, rows, cols)); }

    @Override
    public List<Parameter> parameters() { return List.of(); }

    /** {@code hOut = GRU(x, h0)} for N rows: x N × in, h0 and hOut N × H (hOut overwritten). Keeps what backward needs. */
    public void forward(FloatMatrix x, FloatMatrix h0, FloatMatrix hOut) {
        rows = x.rows();
        x.requireShape("GRU step input", rows, inputs);
        h0.requireShape("GRU step state", rows, hidden);
        hOut.requireShape("GRU step output", rows, hidden);
        this.x = x;
        this.h0 = h0;
        giV = gi.first(rows);
        ghV = gh.first(rows);
        Gemm.sgemm(Transpose.N, Transpose.T, 1f, x, wIh.value(), 0f, giV);
        RowOps.addRowVector(giV, bIh.value());
        Gemm.sgemm(Transpose.N, Transpose.T, 1f, h0, wHh.value(), 0f, ghV);
        RowOps.addRowVector(ghV, bHh.value());
        FloatMatrix rV = r.first(rows), zV = z.first(rows), nV = n.first(rows);
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < hidden; k++) {
                float rr = ScalarActivations.sigmoid(giV.get(i, k) + ghV.get(i, k));
                float zz = ScalarActivations.sigmoid(giV.get(i, hidden + k) + ghV.get(i, hidden + k));
                float nn = ScalarActivations.tanh(giV.get(i, 2 * hidden + k) + rr * ghV.get(i, 2 * hidden + k));
                rV.set(i, k, rr);
                zV.set(i, k, zz);
                nV.set(i, k, nn);
                hOut.set(i, k, (1 - zz) * nn + zz * h0.get(i, k));
            }
        }
    }

    /**
     * Back-propagates {@code dhOut} (N × H) through the last forward: accumulates the four shared
     * parameters' gradients and writes {@code dx} (N × in) and {@code dh0} (N × H), both overwritten.
     */
    public void backward(FloatMatrix dhOut, FloatMatrix dx, FloatMatrix dh0) {
        dhOut.requireShape("GRU step output gradient", rows, hidden);
        FloatMatrix rV = r.first(rows), zV = z.first(rows), nV = n.first(rows), dgi = dGi.first(rows), dgh = dGh.first(rows);
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < hidden; k++) {
                float g = dhOut.get(i, k), rr = rV.get(i, k), zz = zV.get(i, k), nn = nV.get(i, k);
                float dan = g * (1 - zz) * (1 - nn * nn);                 // through n's tanh
                float daz = g * (h0.get(i, k) - nn) * zz * (1 - zz);      // through z's sigmoid
                float dar = dan * ghV.get(i, 2 * hidden + k) * rr * (1 - rr);
                dgi.set(i, k, dar);
                dgi.set(i, hidden + k, daz);
                dgi.set(i, 2 * hidden + k, dan);
                dgh.set(i, k, dar);
                dgh.set(i, hidden + k, daz);
                dgh.set(i, 2 * hidden + k, dan * rr);
                dh0.set(i, k, g * zz);
            }
        }
        Gemm.sgemm(Transpose.T, Transpose.N, 1f, dgi, x, 1f, wIh.grad());
        RowOps.addColumnSums(dgi, bIh.grad());
        Gemm.sgemm(Transpose.T, Transpose.N, 1f, dgh, h0, 1f, wHh.grad());
        RowOps.addColumnSums(dgh, bHh.grad());
        Gemm.sgemm(Transpose.N, Transpose.N, 1f, dgi, wIh.value(), 0f, dx);
        Gemm.sgemm(Transpose.N, Transpose.N, 1f, dgh, wHh.value(), 1f, dh0);
    }
}
