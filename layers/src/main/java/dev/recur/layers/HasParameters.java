package dev.recur.layers;

import java.util.List;

/** Anything that owns trainable parameters, listed in a stable order with their PyTorch names. */
public interface HasParameters {
    /** Every trainable parameter, in a stable order, under its PyTorch name. */
    List<Parameter> parameters();

    /** Sets every parameter's gradient to zero. */
    default void zeroGrad() {
        List<Parameter> ps = parameters();
        for (int i = 0; i < ps.size(); i++) ps.get(i).zeroGrad();   // indexed: no iterator in a training loop
    }
}
