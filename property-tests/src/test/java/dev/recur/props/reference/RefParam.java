package dev.recur.props.reference;

import java.util.Arrays;

/**
 * A named double-precision tensor: PyTorch name, shape and row-major values. The values array is
 * shared, not copied, so finite differences can perturb it in place.
 */
public record RefParam(String name, int[] shape, double[] data) {

    public RefParam {
        long n = 1;
        for (int s : shape) n *= s;
        if (n != data.length) {
            throw new IllegalArgumentException(name + ": " + data.length + " values for shape " + Arrays.toString(shape));
        }
    }

    public int size() {
        return data.length;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
