package dev.recur.app.speech;

import dev.recur.layers.audio.Features;

/**
 * One recording: where it came from, its digit (0–9), speaker and take, and its normalised feature
 * frames.
 */
public record Utterance(String name, int digit, String speaker, int take, Features features) {
    public int frames() { return features.frames(); }
}
