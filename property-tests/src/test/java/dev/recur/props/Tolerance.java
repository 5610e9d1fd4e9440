package dev.recur.props;

import static org.junit.jupiter.api.Assertions.fail;

/** Element-wise comparison with a mixed tolerance {@code |a − e| ≤ tol · max(1, |e|)}, naming the worst element. */
final class Tolerance {
    private Tolerance() {}

    static void assertClose(String what, double[] expected, double[] actual, double tol) {
        if (expected.length != actual.length) {
            fail(what + ": " + actual.length + " values, expected " + expected.length);
        }
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            double allowed = tol * Math.max(1.0, Math.abs(expected[i]));
            if (!(err <= allowed) && (worst < 0 || err / allowed > worstExcess)) {
                worst = i;
                worstExcess = err / allowed;
            }
        }
        if (worst >= 0) {
            fail(what + ": element " + worst + " is " + actual[worst] + ", expected " + expected[worst]
                    + " (difference " + Math.abs(actual[worst] - expected[worst]) + ", tolerance " + tol
                    + "·max(1,|expected|))");
        }
    }
}
