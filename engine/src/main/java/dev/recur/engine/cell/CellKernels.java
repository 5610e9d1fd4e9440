package dev.recur.engine.cell;

import java.lang.foreign.MemorySegment;

/**
 * Fused element-wise kernels of one recurrent time step, forward and backward, for the Elman RNN
 * (tanh or relu), the LSTM and the GRU, in PyTorch's equations and gate order.
 *
 * <p>Every kernel works on {@code rows} consecutive batch rows of {@code hidden} units and makes one
 * pass over memory. Buffers are given as a {@link MemorySegment} plus an offset <b>in floats</b>
 * (not bytes) of the first row's first element. Unless a leading dimension is passed explicitly,
 * rows are packed: a gate buffer of {@code k} gates has {@code k·hidden} floats per row, a state
 * buffer {@code hidden} floats per row. Kernels never allocate. Two implementations exist with the
 * same contract: {@link ScalarCellKernels} (plain loops, reads like the textbook) and a Vector API
 * one; {@link #get()} picks the SIMD one when {@link dev.recur.engine.Engine#vectorApiAvailable()}.
 *
 * <p><b>Subnormals.</b> Every gradient a backward kernel writes goes through
 * {@code flush(x) = (x + FLUSH_BIAS) − FLUSH_BIAS} (see {@link #FLUSH_BIAS}), so it is never
 * subnormal. The JVM cannot set the CPU's flush-to-zero mode, and gradients that decay through many
 * steps would otherwise become subnormal and slow every later GEMM by an order of magnitude.
 */
public interface CellKernels {

    /**
     * 2^-77. {@code (x + FLUSH_BIAS) − FLUSH_BIAS} in float arithmetic is exactly x for |x| ≥ 2^-52,
     * rounds smaller x to a multiple of 2^-100 (so |x| &lt; 2^-101 becomes 0), and is never subnormal
     * (subnormals are below 2^-126). It costs two adds and no branch or mask. Gradients below 2^-52
     * are far beneath anything that matters in float32 training; keeping them ≥ 2^-100 or 0 also
     * keeps their products with weights in the next GEMM normal.
     */
    float FLUSH_BIAS = 0x1p-77f;

    /** The kernels for this JVM: SIMD when the Vector API is available, scalar otherwise. */
    static CellKernels get() { return dev.recur.engine.Kernels.cells(); }

    /** The plain-loop implementation (the reference the SIMD kernels are tested against). */
    static CellKernels scalar() { return ScalarCellKernels.INSTANCE; }

    // ---------------------------------------------------------------- Elman RNN

    /**
     * RNN forward: {@code h = act(a + b)}, with {@code act} = tanh, or relu when {@code relu}.
     *
     * @param a    rows × H pre-activations without bias ({@code x·W_ihᵀ + h_prev·W_hhᵀ}); read only
     * @param bias H floats, {@code b_ih + b_hh}
     * @param h    rows × H output {@code h_t}
     */
    void rnnForward(int rows, int hidden, boolean relu,
                    MemorySegment a, long aOff, MemorySegment bias, long biasOff,
                    MemorySegment h, long hOff);

    /**
     * RNN backward: {@code da = (dOut + dh) ⊙ act'(h)}, where {@code act'} is {@code 1 − h²} for
     * tanh and {@code [h > 0]} for relu.
     *
     * @param h     rows × H, the {@code h_t} that forward wrote
     * @param dOut  rows with leading dimension {@code ldDOut}: gradient of the loss w.r.t. this
     *              step's output; {@code null} means zero
     * @param dh    rows × H, gradient arriving from step t+1 through the recurrence; read only
     * @param da    rows × H output: gradient w.r.t. the pre-activation (may alias nothing else)
     */
    void rnnBackward(int rows, int hidden, boolean relu,
                     MemorySegment h, long hOff,
                     MemorySegment dOut, long dOutOff, int ldDOut,
                     MemorySegment dh, long dhOff,
                     MemorySegment da, long daOff);

    // ---------------------------------------------------------------- LSTM

    /**
     * LSTM forward, gate order i, f, g, o (PyTorch):
     * <pre>
     * i = σ(a_i + b_i)   f = σ(a_f + b_f)   g = tanh(a_g + b_g)   o = σ(a_o + b_o)
     * c = f ⊙ c_prev + i ⊙ g                h = o ⊙ tanh(c)
     * </pre>
     *
     * @param gates rows × 4H: in, pre-activations without bias; out, the activated gates i, f, g, o
     *              (what backward needs)
     * @param bias  4H floats, {@code b_ih + b_hh}
     * @param cPrev rows × H, {@code c_{t-1}}
     * @param c     rows × H output {@code c_t}
     * @param h     rows × H output {@code h_t}
     */
    void lstmForward(int rows, int hidden,
                     MemorySegment gates, long gOff, MemorySegment bias, long biasOff,
                     MemorySegment cPrev, long cPrevOff,
                     MemorySegment c, long cOff, MemorySegment h, long hOff);

    /**
     * LSTM backward of one step. With {@code dhT = dOut + dh} and {@code τ = tanh(c)}:
     * <pre>
     * dc' = dc + dhT ⊙ o ⊙ (1 − τ²)
     * da_i = dc' ⊙ g ⊙ i(1−i)        da_f = dc' ⊙ c_prev ⊙ f(1−f)
     * da_g = dc' ⊙ i ⊙ (1−g²)        da_o = dhT ⊙ τ ⊙ o(1−o)
     * dc_prev = dc' ⊙ f
     * </pre>
     *
     * @param gates rows × 4H: in, i, f, g, o from forward; out, da_i, da_f, da_g, da_o
     * @param c     rows × H, {@code c_t}
     * @param cPrev rows × H, {@code c_{t-1}}
     * @param dOut  gradient w.r.t. this step's output h_t, leading dimension {@code ldDOut};
     *              {@code null} means zero
     * @param dh    rows × H, gradient w.r.t. h_t through the recurrence (from step t+1); read only
     * @param dc    rows × H: in, gradient w.r.t. c_t from step t+1; out, gradient w.r.t. c_{t-1}
     */
    void lstmBackward(int rows, int hidden,
                      MemorySegment gates, long gOff,
                      MemorySegment c, long cOff, MemorySegment cPrev, long cPrevOff,
                      MemorySegment dOut, long dOutOff, int ldDOut,
                      MemorySegment dh, long dhOff, MemorySegment dc, long dcOff);

    // ---------------------------------------------------------------- GRU

    /**
     * GRU forward, PyTorch's form (gate order r, z, n; reset applied after the recurrent product):
     * <pre>
     * r = σ(x_r + b_ir + h_r + b_hr)      z = σ(x_z + b_iz + h_z + b_hz)
     * n = tanh(x_n + b_in + r ⊙ (h_n + b_hn))
     * h = (1 − z) ⊙ n + z ⊙ h_prev
     * </pre>
     * where {@code x_* = x·W_i*ᵀ} and {@code h_* = h_prev·W_h*ᵀ}.
     *
     * @param gx    rows × 3H: in, {@code x·W_ihᵀ} without bias; out, r, z, n
     * @param gh    rows × 3H: in, {@code h_prev·W_hhᵀ} without bias; out, its n block (columns
     *              2H..3H) holds {@code h_n + b_hn}, the other blocks are left unspecified
     * @param bih   3H floats, {@code b_ih}
     * @param bhh   3H floats, {@code b_hh}
     * @param hPrev rows × H, {@code h_{t-1}}
     * @param h     rows × H output {@code h_t}
     */
    void gruForward(int rows, int hidden,
                    MemorySegment gx, long gxOff, MemorySegment gh, long ghOff,
                    MemorySegment bih, long bihOff, MemorySegment bhh, long bhhOff,
                    MemorySegment hPrev, long hPrevOff, MemorySegment h, long hOff);

    /**
     * GRU backward of one step. With {@code dhT = dOut + dh} and {@code hn = h_n + b_hn}:
     * <pre>
     * da_n = dhT ⊙ (1−z) ⊙ (1−n²)
     * da_r = da_n ⊙ hn ⊙ r(1−r)
     * da_z = dhT ⊙ (h_prev − n) ⊙ z(1−z)
     * dGx = [da_r, da_z, da_n]     dGh = [da_r, da_z, da_n ⊙ r]
     * dh_prev (direct part) = dhT ⊙ z        (the caller then adds dGh·W_hh)
     * </pre>
     *
     * @param gx    rows × 3H: in, r, z, n; out, dGx (gradient w.r.t. x·W_ihᵀ + b_ih)
     * @param gh    rows × 3H: in, the n block holds {@code hn}; out, dGh (w.r.t. h·W_hhᵀ + b_hh)
     * @param hPrev rows × H, {@code h_{t-1}}
     * @param dOut  gradient w.r.t. this step's output, leading dimension {@code ldDOut};
     *              {@code null} means zero
     * @param dh    rows × H: in, gradient w.r.t. h_t from step t+1; out, {@code dhT ⊙ z}
     */
    void gruBackward(int rows, int hidden,
                     MemorySegment gx, long gxOff, MemorySegment gh, long ghOff,
                     MemorySegment hPrev, long hPrevOff,
                     MemorySegment dOut, long dOutOff, int ldDOut,
                     MemorySegment dh, long dhOff);

    // ---------------------------------------------------------------- helpers

    /** {@code dst[j] += Σ_r src[r·ld + j]} for j &lt; cols: bias gradients from gate gradients. */
    void addColumnSums(int rows, int cols, MemorySegment src, long srcOff, int ld,
                       MemorySegment dst, long dstOff);

    /** {@code dst[j] = a[j] + b[j]} for j &lt; n (e.g. the fused bias {@code b_ih + b_hh}). */
    void add(int n, MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment dst, long dstOff);
}
