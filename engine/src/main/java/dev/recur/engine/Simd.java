package dev.recur.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one place that chooses the vector species. Only SIMD kernel classes touch this class, and
 * only after {@link Engine#vectorApiAvailable()} said yes, so a JVM started without
 * {@code --add-modules jdk.incubator.vector} never loads it.
 */
public final class Simd {
    private Simd() {}

    /** The widest float species this CPU runs natively (16 lanes on AVX-512, 8 on AVX2, 4 on NEON). */
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** Floats per vector of {@link #F}. */
    public static final int LANES = F.length();

    /** The int species of the same shape as {@link #F} (for bit manipulation of float lanes). */
    public static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    /** The long species of the same shape as {@link #F} (64-bit integer hashing: 8 lanes on AVX-512). */
    public static final VectorSpecies<Long> L = VectorSpecies.of(long.class, F.vectorShape());

    /**
     * The float species with as many lanes as {@link #L} (half the shape of {@link #F}): float
     * results of a computation done in long lanes (the dropout mask).
     */
    public static final VectorSpecies<Float> F_HALF =
            VectorSpecies.of(float.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
}
