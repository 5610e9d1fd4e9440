package dev.recur.app.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttentionPlotTest {
    /** A diagonal-ish alignment of a German sentence and its English translation, with a repeated word. */
    static AttentionPlot.Matrix example() {
        List<String> src = List.of("ein", "mann", "in", "einem", "blauen", "hemd", "und", "ein", "hund", ".");
        List<String> out = List.of("a", "man", "in", "a", "blue", "shirt", "and", "a", "dog", ".", "<eos>");
        float[][] w = new float[out.size()][src.size()];
        int[] align = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9};
        for (int o = 0; o < out.size(); o++) {
            for (int s = 0; s < src.size(); s++) w[o][s] = 0.02f;
            w[o][align[o]] += 1 - 0.02f * src.size();
        }
        w[4][5] = 0.3f; // "blue" looks at "hemd" too
        w[4][4] -= 0.28f;
        return new AttentionPlot.Matrix(src, out, w);
    }

    @Test
    void drawsOnePanelPerSentenceStackedAndReadableAsPng(@TempDir Path dir) throws Exception {
        Path one = dir.resolve("one.png"), two = dir.resolve("two.png");
        AttentionPlot.save(one, List.of(example()));
        AttentionPlot.save(two, List.of(example(), example()));
        BufferedImage a = ImageIO.read(one.toFile()), b = ImageIO.read(two.toFile());
        assertEquals(a.getWidth(), b.getWidth());
        assertEquals(2 * a.getHeight(), b.getHeight());
        assertTrue(a.getWidth() >= 520 && a.getHeight() >= 260, a.getWidth() + "x" + a.getHeight());
        // the strongest cells are drawn dark: some pixel is much darker than the light grey of the axes
        boolean dark = false;
        for (int y = 0; y < a.getHeight() && !dark; y++) {
            for (int x = 0; x < a.getWidth() && !dark; x++) {
                int rgb = a.getRGB(x, y);
                dark = ((rgb >> 16) & 255) < 40 && ((rgb >> 8) & 255) < 80 && (rgb & 255) > 80;
            }
        }
        assertTrue(dark, "no dark blue cell in the picture");
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary file left");
        }
    }

    @Test
    void refusesShapesThatDoNotMatchAndTooManySentences(@TempDir Path dir) {
        assertThrows(IllegalArgumentException.class, () -> new AttentionPlot.Matrix(List.of("a"), List.of("b", "c"), new float[1][1]));
        assertThrows(IllegalArgumentException.class, () -> new AttentionPlot.Matrix(List.of("a"), List.of("b"), new float[1][2]));
        assertThrows(IllegalArgumentException.class, () -> AttentionPlot.save(dir.resolve("x.png"), List.of()));
        assertThrows(IllegalArgumentException.class, () -> AttentionPlot.save(dir.resolve("x.png"),
                Collections.nCopies(AttentionPlot.MAX_SENTENCES + 1, example())));
    }

    /** Writes the example picture for a person to look at: {@code -Dattention.png=/tmp/a.png}. */
    @Test
    void writesTheExampleWhenAsked() throws Exception {
        String to = System.getProperty("attention.png");
        if (to != null) AttentionPlot.save(Path.of(to), List.of(example()));
        assertTrue(to == null || Files.size(Path.of(to)) > 1000);
    }
}
