package dev.recur.engine.gemm;

/**
 * One thread's packing buffers, allocated on the thread's first GEMM and reused for every later
 * call, so a GEMM allocates nothing. Plain {@code float[]} panels: the micro-kernel reads them
 * faster than off-heap memory (the tensors themselves stay off-heap).
 */
final class Workspace {
    private static final ThreadLocal<Workspace> PER_THREAD = ThreadLocal.withInitial(Workspace::new);

    final float[] packedA;
    final float[] packedB;
    final float[] tile;

    private Workspace() {
        int nr = MicroKernel.NR;
        packedA = new float[(Blocking.MC + Blocking.MR_MAX) * Blocking.KC];
        packedB = new float[Blocking.KC * (Blocking.NC + nr)];
        tile = new float[Blocking.MR_MAX * nr];
    }

    static Workspace get() { return PER_THREAD.get(); }
}
