package dev.recur.engine;

import dev.recur.engine.cell.CellKernels;

/**
 * The one place that chooses every kernel family's implementation, once, when the class is
 * initialised: the Vector API implementation ({@code Simd*}) when {@link Engine#vectorApiAvailable()},
 * else the plain-loop scalar twin ({@code Scalar*}). The SIMD classes are loaded by name, so a JVM
 * started without {@code --add-modules jdk.incubator.vector} never touches a vector type (the
 * species itself is chosen in {@code Simd}, which only SIMD classes read).
 *
 * <p>Families (interface, SIMD, scalar twin, facade):
 * {@link VectorOpsSupport} {@link SimdVectorOps} {@link ScalarVectorOps} → {@link VectorOps};
 * {@link RowOpsSupport} {@link SimdRowOps} {@link ScalarRowOps} → {@link RowOps};
 * {@link OptimizerSupport} {@link SimdOptimizerKernels} {@link ScalarOptimizerKernels} → {@link OptimizerKernels};
 * {@link GemmSupport} {@code gemm.SimdGemm} {@link ScalarGemm} → {@link Gemm};
 * {@link CellKernels} {@code cell.SimdCellKernels} {@code cell.ScalarCellKernels} → {@link CellKernels#get()};
 * {@link ActivationsSupport} {@link SimdActivations} {@link ScalarActivations} → {@link Activations};
 * {@link DropoutSupport} {@link SimdDropout} {@link ScalarDropout} → {@link DropoutMask} (SIMD on x86-64
 * only: it needs 64-bit lane multiplies, which C2 compiles there — AVX-512DQ, or AVX2 by emulation —
 * and elsewhere might leave to the Vector API's slow Java fallback).
 * The facades hold the chosen instance in a static final field, so C2 binds every call directly.
 */
public final class Kernels {
    private Kernels() {}

    private static final boolean SIMD = Engine.vectorApiAvailable();

    private static final VectorOpsSupport VECTOR_OPS = choose("dev.recur.engine.SimdVectorOps", ScalarVectorOps.INSTANCE);
    private static final RowOpsSupport ROW_OPS = choose("dev.recur.engine.SimdRowOps", ScalarRowOps.INSTANCE);
    private static final OptimizerSupport OPTIMIZER =
            choose("dev.recur.engine.SimdOptimizerKernels", ScalarOptimizerKernels.INSTANCE);
    private static final GemmSupport GEMM = choose("dev.recur.engine.gemm.SimdGemm", ScalarGemm.INSTANCE);
    private static final ActivationsSupport ACTIVATIONS =
            choose("dev.recur.engine.SimdActivations", ScalarActivations.INSTANCE);
    private static final DropoutSupport DROPOUT = longLanes()
            ? choose("dev.recur.engine.SimdDropout", ScalarDropout.INSTANCE) : ScalarDropout.INSTANCE;
    private static final CellKernels CELLS = choose("dev.recur.engine.cell.SimdCellKernels", CellKernels.scalar());

    static VectorOpsSupport vectorOps() { return VECTOR_OPS; }

    static RowOpsSupport rowOps() { return ROW_OPS; }

    static OptimizerSupport optimizer() { return OPTIMIZER; }

    static GemmSupport gemm() { return GEMM; }

    static ActivationsSupport activations() { return ACTIVATIONS; }

    static DropoutSupport dropout() { return DROPOUT; }

    /** True on x86-64, where C2 vectorises 64-bit lane multiplies (the dropout hash). */
    private static boolean longLanes() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64");
    }

    /** The cell kernels for this JVM (what {@link CellKernels#get()} returns). */
    public static CellKernels cells() { return CELLS; }

    /** True when the SIMD implementations were chosen. */
    public static boolean simd() { return SIMD; }

    /** The SIMD implementation's {@code INSTANCE} when the Vector API is there, else the scalar twin. */
    @SuppressWarnings("unchecked")
    private static <T> T choose(String simdClass, T scalar) {
        if (!SIMD) return scalar;
        try {
            Class<?> c = Class.forName(simdClass);
            var field = c.getField("INSTANCE");
            return (T) field.get(null);
        } catch (NoSuchFieldException e) {
            try { // a package-private implementation: its no-argument constructor
                var ctor = Class.forName(simdClass).getDeclaredConstructor();
                ctor.setAccessible(true);
                return (T) ctor.newInstance();
            } catch (ReflectiveOperationException e2) {
                throw new IllegalStateException("cannot load " + simdClass + " although " + Engine.VECTOR_FLAG + " is on", e2);
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load " + simdClass + " although " + Engine.VECTOR_FLAG + " is on", e);
        }
    }
}
