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
    /** All rows of op(A) for one depth block when they are more than {@link #packedA} holds; grown on demand. */
    private float[] slab = new float[0];

    private Workspace() {
        int nr = MicroKernel.NR;
        packedA = new float[(Blocking.MC + Blocking.MR_MAX) * Blocking.KC];
        packedB = new float[Blocking.KC * (Blocking.NC + nr)];
        tile = new float[Blocking.MR_MAX * nr];
    }

    static Workspace get() { return PER_THREAD.get(); }

    /**
     * The A buffer for {@code floats} packed floats: {@link #packedA} when it is large enough, else
     * this thread's slab, grown to the largest request seen (at most {@link Blocking#SLAB_MAX}).
     */
    float[] aBuffer(long floats) {
        if (floats <= packedA.length) return packedA;
        if (slab.length < floats) slab = new float[(int) floats];
        return slab;
    }

}
