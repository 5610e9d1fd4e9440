package dev.recur.engine.cell;

import dev.recur.engine.Engine;

/**
 * Chooses the {@link CellKernels} implementation once. The SIMD class is loaded by name, only when
 * the Vector API module is present, so a JVM without it never touches {@code jdk.incubator.vector}.
 */
final class CellKernelsProvider {
    private CellKernelsProvider() {}

    static final CellKernels INSTANCE = choose();

    private static CellKernels choose() {
        if (!Engine.vectorApiAvailable()) return ScalarCellKernels.INSTANCE;
        try {
            return (CellKernels) Class.forName("dev.recur.engine.cell.SimdCellKernels")
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load the SIMD cell kernels although "
                    + Engine.VECTOR_FLAG + " is on", e);
        }
    }
}
