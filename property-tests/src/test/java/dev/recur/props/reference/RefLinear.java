package dev.recur.props.reference;

/** {@code y = W x + b} with PyTorch's {@code weight} [out × in] and {@code bias} [out]. */
public final class RefLinear {
    public final RefParam weight;
    public final RefParam bias;

    public RefLinear(String prefix, int in, int out) {
        this.weight = new RefParam(prefix + "weight", new int[] {out, in}, new double[out * in]);
        this.bias = new RefParam(prefix + "bias", new int[] {out}, new double[out]);
    }

    public int in() { return weight.shape()[1]; }

    public int out() { return weight.shape()[0]; }

    /** Applies the layer to every row of {@code x[N][in]}. */
    public double[][] apply(double[][] x) {
        double[][] y = new double[x.length][out()];
        for (int n = 0; n < x.length; n++) {
            for (int o = 0; o < out(); o++) {
                double s = bias.data()[o];
                for (int i = 0; i < in(); i++) s += weight.data()[o * in() + i] * x[n][i];
                y[n][o] = s;
            }
        }
        return y;
    }
}
