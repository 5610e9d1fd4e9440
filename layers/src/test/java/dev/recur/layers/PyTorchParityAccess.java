package dev.recur.layers;

import java.nio.file.Path;

/** {@link PyTorchParityTest}'s comparison (1e-5·max(1, |expected|)) for parity tests in other packages. */
public final class PyTorchParityAccess {
    private PyTorchParityAccess() {}

    public static void assertClose(Path file, String what, float[] expected, float[] actual) {
        PyTorchParityTest.assertClose(file, what, expected, actual);
    }
}
