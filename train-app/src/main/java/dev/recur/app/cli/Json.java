package dev.recur.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The one JSON mapper of the commands' {@code --json} output. */
final class Json {
    private Json() {}

    static final ObjectMapper MAPPER = new ObjectMapper();
}
