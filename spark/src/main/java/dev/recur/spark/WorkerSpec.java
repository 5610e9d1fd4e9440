package dev.recur.spark;

import java.io.Serializable;

/**
 * What an executor needs to build the same model as the driver: the run's configuration (the JSON
 * of {@link dev.recur.app.sentiment.TrainConfig}), the vocabulary size and the longest sequence.
 * Equal specs share the executor's cached models ({@link Workers}).
 */
public record WorkerSpec(String configJson, int vocabSize, int maxSteps) implements Serializable {}
