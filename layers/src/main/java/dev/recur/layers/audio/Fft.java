package dev.recur.layers.audio;

/**
 * An in-place iterative radix-2 complex FFT of a fixed power-of-two size n (Cooley–Tukey,
 * decimation in time):
 * <pre>X[k] = Σ_{j=0}^{n−1} x[j] · e^{−2πi·jk/n}</pre>
 * Bit-reversal permutation, then log₂ n butterfly passes with precomputed twiddles. Plain Java
 * (the front end costs a few percent of a training step; no SIMD, so no twin). Not thread-safe only
 * in that the arrays passed in are overwritten; the instance itself holds no state per call.
 */
public final class Fft {
    private final int n;
    private final int[] reversed;
    private final double[] cos, sin;

    public Fft(int n) {
        if (n < 2 || Integer.bitCount(n) != 1) throw new IllegalArgumentException("FFT size must be a power of two ≥ 2, got " + n);
        this.n = n;
        int bits = Integer.numberOfTrailingZeros(n);
        reversed = new int[n];
        for (int i = 0; i < n; i++) reversed[i] = Integer.reverse(i) >>> (32 - bits);
        cos = new double[n / 2];
        sin = new double[n / 2];
        for (int k = 0; k < n / 2; k++) {
            cos[k] = Math.cos(2 * Math.PI * k / n);
            sin[k] = -Math.sin(2 * Math.PI * k / n);
        }
    }

    public int size() { return n; }

    /** Transforms {@code (re, im)} (length ≥ n) in place. */
    public void transform(double[] re, double[] im) {
        for (int i = 0; i < n; i++) {
            int j = reversed[i];
            if (j > i) {
                double t = re[i]; re[i] = re[j]; re[j] = t;
                t = im[i]; im[i] = im[j]; im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            int half = len >> 1, stride = n / len;
            for (int start = 0; start < n; start += len) {
                for (int k = 0; k < half; k++) {
                    double wr = cos[k * stride], wi = sin[k * stride];
                    int a = start + k, b = a + half;
                    double xr = re[b] * wr - im[b] * wi;
                    double xi = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - xr;
                    im[b] = im[a] - xi;
                    re[a] += xr;
                    im[a] += xi;
                }
            }
        }
    }
}
