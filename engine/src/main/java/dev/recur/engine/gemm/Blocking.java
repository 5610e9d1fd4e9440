package dev.recur.engine.gemm;

import dev.recur.engine.Engine;

/**
 * Block sizes and register tile of the packed GEMM, chosen once at start from the caches the OS
 * reports ({@link CacheGeometry}); the rule is in docs/gemm.md.
 *
 * <p>The loops (see {@link SimdGemm}) keep one packed A micro-panel (up to {@link #MR_MAX} ×
 * {@link #KC}) in L1 while the packed B micro-panels ({@link #KC} × NR) stream through it from
 * L2, and keep the whole packed B block ({@link #KC} × {@link #NC}) in L2. After Low et al.,
 * "Analytical modeling is enough for high-performance BLIS" (TOMS 2016), with the roles of A and B
 * swapped to match this loop order:
 * <ul>
 *   <li>{@code KC}: the streaming B micro-panel gets {@code ⌊(W₁ − 1) / (1 + MR/NR)⌋} of the W₁
 *       ways of L1 (the resident A micro-panel the proportional share of the rest, one way left
 *       for C and the stack), so {@code KC = ways · sets · line / (NR · 4 bytes)};</li>
 *   <li>{@code NC}: the packed B block takes two fifths of L2 (the rest holds the A micro-panels
 *       and C tiles passing through, and the next B micro-panels): the largest multiple of NR
 *       with {@code KC · NC · 4 ≤ 2 · L2 / 5};</li>
 *   <li>{@code MC} = 256: in this loop order no cache has to hold the packed A block (each of its
 *       micro-panels is read once, then stays in L1), so MC only bounds the A buffer: products
 *       whose A slab (all rows × KC) fits the thread's grown slab buffer do not cut A at all.</li>
 * </ul>
 * When the caches cannot be read the sizes tuned on a Zen 4 core (32 KiB L1, 1 MiB L2) are used:
 * KC 256, NC 512 (rounded down to whole tiles).
 *
 * <p>KC decides where each dot product of length K is cut into partial sums, so it decides the
 * bits of C: results are identical for any thread count on one machine, but machines whose L1
 * differs (in size or ways) give results that differ in the last bits. MR, NR, NC and MC do not
 * change any sum.
 *
 * <p>This class imports no vector type, so the scalar path may read it.
 */
public final class Blocking {
    private Blocking() {}

    /**
     * The row granularity of every split of a GEMM over threads (splits are whole multiples of
     * it; the strips of {@link #stripRows} cover a multiple of 8 rows with no waste).
     */
    public static final int MR = 8;
    /**
     * The register tile, chosen here and nowhere else, as rows x vectors:
     * <ul>
     *   <li>{@code "12x2"} with 512-bit vectors (AVX-512: 32 vector registers): 24 accumulators,
     *       with 8 × 2 for the last rows of a block;</li>
     *   <li>{@code "4x2"} with narrower vectors (AVX2 and NEON: 16 vector registers). On AVX2, C2
     *       loaded every broadcast of a k step into its own register before the first FMA, so a
     *       tile needs rows × (vectors + 1) + vectors registers there: 4 × 2 takes 14, while 8 × 2 (26) and
     *       6 × 2 (20) keep accumulators on the stack, a store-to-load round trip on every k step
     *       (Zen 3, panels in L1: 4 × 2 at 88–97 GFLOPS, 6 × 2 at 41–43, 8 × 2 at 51–58);</li>
     *   <li>{@code "8x2"} (16 accumulators) and {@code "8x3"} (8 rows × 3 vectors: 11 loads per 24
     *       FMAs against 14; faster on panels in L1 but no faster in the whole GEMM on Emerald
     *       Rapids, which streams the B micro-panels from L2: docs/gemm.md) by hand.</li>
     * </ul>
     * {@code -Drecur.gemm.tile=12x2|8x3|8x2|4x2} picks one (12x2 and 8x3 need 16 lanes). The tile
     * changes no sum; KC, chosen from it and the caches, does.
     */
    public static final String TILE = tile(System.getProperty("recur.gemm.tile"), Engine.lanes());
    /** Rows of the strip most of a block is cut into: 12, 8 or 4. */
    public static final int MR_TALL = Integer.parseInt(TILE.substring(0, TILE.indexOf('x')));
    /** Rows of the strip that covers the last rows of a block: 8 with the 12-row tile, else the tile's own height. */
    public static final int MR_SHORT = MR_TALL == 12 ? 8 : MR_TALL;
    /** Whether a block is cut into strips of two heights. */
    public static final boolean TALL = MR_TALL != MR_SHORT;
    /** Vectors per tile row: 3 for the 8 × 3 tile, else 2. */
    public static final int NR_VECTORS = TILE.equals("8x3") ? 3 : 2;
    /** Columns of the register tile (NR_VECTORS vectors): the granularity of packed B and of a split by columns. */
    public static final int NR = NR_VECTORS * Math.max(1, Engine.lanes());
    /** The largest strip height in use (buffer sizes). */
    public static final int MR_MAX = Math.max(MR_TALL, MR_SHORT);

    /** The tile for {@code lanes}-wide vectors, or the one {@code requested} (null: the default). */
    static String tile(String requested, int lanes) {
        if (requested == null) return lanes >= 16 ? "12x2" : "4x2";
        String t = requested.trim();
        if (t.equals("8x2") || t.equals("4x2") || ((t.equals("8x3") || t.equals("12x2")) && lanes >= 16)) return t;
        throw new IllegalArgumentException("recur.gemm.tile must be 8x2 or 4x2, or 8x3 or 12x2 with 16-lane vectors (this machine: "
                + lanes + " lanes), got '" + requested + "'");
    }

    /** Cache sizes the blocks were chosen from, or null when the fallback is in use. */
    public static final CacheGeometry CACHES = CacheGeometry.read();

    /** Depth of one packed block: the k-extent of the A and B panels. */
    public static final int KC;
    /** Rows of A packed at once. */
    public static final int MC = 256;
    /** Columns of B packed at once. */
    public static final int NC;
    /**
     * The largest A slab a thread keeps, in floats: 16 Mi (64 MiB), over 50,000 rows at KC = 320.
     * The serial GEMM packs all rows of op(A) for one depth block (the slab, padded rows × KC) once
     * for every column block, and cuts A into blocks of {@link #MC} rows packed again per column
     * block only when the slab would be larger.
     */
    public static final long SLAB_MAX = 16L << 20;

    static {
        int[] kn = blocks(CACHES, MR_MAX, NR);
        KC = kcOverride(kn[0]);
        NC = kn[1];
    }

    /**
     * {KC, NC} for the given caches (null: the fallback 256, 512 rounded down to whole tiles), strips of up to {@code mr} rows
     * and tiles of {@code nr} columns.
     */
    static int[] blocks(CacheGeometry g, int mr, int nr) {
        if (g == null) return new int[] {256, Math.max(2 * nr, 512 / nr * nr)};
        int ways = (int) Math.floor((g.l1Ways() - 1) / (1.0 + (double) mr / nr));
        int kc = (int) ((long) Math.max(1, ways) * g.l1Sets() * g.lineBytes() / ((long) nr * Float.BYTES));
        kc = Math.max(64, Math.min(1024, kc / 8 * 8));
        long nc = 2L * g.l2Bytes() / 5 / ((long) kc * Float.BYTES) / nr * nr;
        nc = Math.max(2L * nr, Math.min(4096, nc));
        return new int[] {kc, (int) nc};
    }

    /**
     * The depth block from {@code -Drecur.gemm.kc=N} (a multiple of 8 in 64..1024), else the one
     * the caches gave: to reproduce another machine's bits, or to test the kernels at another
     * machine's KC on this one.
     */
    static int kcOverride(int fromCaches) {
        String v = System.getProperty("recur.gemm.kc");
        if (v == null) return fromCaches;
        try {
            int kc = Integer.parseInt(v.trim());
            if (kc >= 64 && kc <= 1024 && kc % 8 == 0) return kc;
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("recur.gemm.kc must be a multiple of 8 from 64 to 1024, got '" + v + "'");
    }

    /**
     * Height of the next strip of a block with {@code remaining} rows left: with the 12-row tile,
     * 12 while that leaves a remainder the 8-row tile covers with little waste, else 8 (64 rows
     * are 12+12+12+12+8+8, 32 are 12+12+8); with the others, the tile's height. A strip past the
     * edge is zero-padded.
     */
    public static int stripRows(int remaining) {
        if (!TALL) return MR_TALL;
        return remaining > 2 * MR_SHORT || (remaining > MR_SHORT && remaining <= MR_TALL) ? MR_TALL : MR_SHORT;
    }
}
