package dev.recur.app.forecast;

/** Which columns go in and which come out, as in the long-term forecasting literature. */
public enum Features {
    /** Multivariate: every numeric column in, every column out. */
    M,
    /** Univariate: the target column alone, in and out. */
    S,
    /** Multivariate in, the target column out. */
    MS
}
