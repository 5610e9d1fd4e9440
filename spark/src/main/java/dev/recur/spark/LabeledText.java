package dev.recur.spark;

import java.io.Serializable;

/** One example as read: its index in the data's order, its text and its label (0 or 1). */
public record LabeledText(long index, String text, int label) implements Serializable {}
