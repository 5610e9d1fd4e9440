package dev.recur.props.reference;

/** {@code torch.nn.Embedding}: row {@code id} of {@code weight} [num × dim] for every token. */
public final class RefEmbedding {
    public final RefParam weight;

    public RefEmbedding(String prefix, int num, int dim) {
        this.weight = new RefParam(prefix + "weight", new int[] {num, dim}, new double[num * dim]);
    }

    public int dim() { return weight.shape()[1]; }

    /** Looks up tokens {@code ids[T][B]} into {@code x[T][B][dim]}. */
    public double[][][] apply(int[][] ids) {
        int dim = dim();
        double[][][] x = new double[ids.length][ids[0].length][dim];
        for (int t = 0; t < ids.length; t++)
            for (int b = 0; b < ids[t].length; b++)
                System.arraycopy(weight.data(), ids[t][b] * dim, x[t][b], 0, dim);
        return x;
    }
}
