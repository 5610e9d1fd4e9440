package dev.recur.app.run.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class WordWrapTest {
    @Test
    void breaksAtSpacesWithAHangingIndent() {
        String data = "data: embedded sample — 3600 train, 400 validation, 1000 test reviews; vocabulary 10000 words; "
                + "max-len 400 (keep end); read in 2.8 s";
        List<String> lines = WordWrap.wrap(data, 79);
        assertEquals(List.of("data: embedded sample — 3600 train, 400 validation, 1000 test reviews;",
                "  vocabulary 10000 words; max-len 400 (keep end); read in 2.8 s"), lines);
        assertEquals(data, String.join(" ", lines.stream().map(String::strip).toList()));
    }

    @Test
    void keepsTheLinesOwnIndent() {
        List<String> lines = WordWrap.wrap("  last.safetensors     model after epoch 1, with optimizer state (for --resume)", 40);
        assertEquals("  last.safetensors     model after epoch", lines.get(0));
        for (String l : lines.subList(1, lines.size())) assertTrue(l.startsWith("    ") && !l.startsWith("     "), l);
    }

    @Test
    void cutsAWordLongerThanTheLine() {
        List<String> lines = WordWrap.wrap("checkpoint: /a/very/long/path/without/any/space/in/it/best.safetensors", 30);
        for (String l : lines) assertTrue(Text.width(l) <= 30, l);
        assertEquals("checkpoint:", lines.get(0));
        assertEquals("/a/very/long/path/without/any/space/in/it/best.safetensors",
                String.join("", lines.subList(1, lines.size()).stream().map(String::strip).toList()));
    }

    @Test
    void aShortLineStaysAsItIs() {
        assertEquals(List.of("model: lstm"), WordWrap.wrap("model: lstm", 80));
    }

    @Test
    void aCommandIsBrokenBetweenArgumentsWithLineContinuations() {
        String cmd = "try: ./recur run predict --checkpoint runs/lstm-20261201-124500/best.safetensors \"A wonderful, moving film.\"";
        List<String> lines = WordWrap.command(cmd, 79);
        assertEquals(List.of("try: ./recur run predict --checkpoint \\",
                "    runs/lstm-20261201-124500/best.safetensors \"A wonderful, moving film.\""), lines);
        assertEquals(List.of(cmd), WordWrap.command(cmd, 120));
        List<String> narrow = WordWrap.command(cmd, 30);
        for (int i = 0; i < narrow.size(); i++) {
            String l = narrow.get(i);
            assertEquals(i + 1 < narrow.size(), l.endsWith(" \\"), l);
            String argument = l.strip().replace(" \\", "");
            assertTrue(Text.width(l) <= 30 || !argument.contains(" ") || argument.equals("\"A wonderful, moving film.\""),
                    "only an argument longer than the line is wider: " + l);
        }
        assertTrue(narrow.contains("    \"A wonderful, moving film.\""), "a quoted argument stays whole: " + narrow);
    }
}
