package dev.recur.props.reference;

/** Conversions between row-major flat arrays (how safetensors and Recur hold tensors) and nested arrays. */
public final class RefTensors {
    private RefTensors() {}

    public static double[][][] nest(double[] flat, int d0, int d1, int d2) {
        if (flat.length != d0 * d1 * d2) {
            throw new IllegalArgumentException(flat.length + " values for shape [" + d0 + ", " + d1 + ", " + d2 + "]");
        }
        double[][][] out = new double[d0][d1][d2];
        for (int i = 0; i < d0; i++)
            for (int j = 0; j < d1; j++)
                System.arraycopy(flat, (i * d1 + j) * d2, out[i][j], 0, d2);
        return out;
    }

    public static double[] flat(double[][][] x) {
        int d0 = x.length, d1 = x[0].length, d2 = x[0][0].length;
        double[] out = new double[d0 * d1 * d2];
        for (int i = 0; i < d0; i++)
            for (int j = 0; j < d1; j++)
                System.arraycopy(x[i][j], 0, out, (i * d1 + j) * d2, d2);
        return out;
    }

    public static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** Σ a·b over all elements of two equally shaped tensors. */
    public static double dot(double[][][] a, double[][][] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++)
            for (int j = 0; j < a[i].length; j++)
                for (int k = 0; k < a[i][j].length; k++) s += a[i][j][k] * b[i][j][k];
        return s;
    }
}
