package dev.recur.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README and every page under {@code docs/} link only to files that exist and to headings that
 * exist in them, with the anchors GitHub gives headings (lower case, punctuation dropped, spaces as
 * hyphens, a repeated heading numbered {@code -1}, {@code -2}, …). Links inside code are not links.
 */
class DocLinksTest {
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6} +(.+?) *#*$");

    @TempDir Path tmp;

    @Test
    void everyRelativeLinkOfTheReadmeAndTheDocsResolves() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(root.resolve("README.md")), "run from the examples module");
        List<Path> pages = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        assertTrue(pages.size() > 10, "the docs pages were found: " + pages);
        List<String> broken = new ArrayList<>();
        int links = 0;
        for (Path page : pages) {
            for (String target : links(page)) {
                links++;
                String problem = check(page, target);
                if (problem != null) broken.add(root.relativize(page) + ": (" + target + ") " + problem);
            }
        }
        assertTrue(links > 100, "links were read: " + links);
        assertEquals(List.of(), broken, "broken links");
    }

    @Test
    void anchorsAreGitHubsAndABrokenLinkIsReported() throws IOException {
        assertEquals("zen-4-machine-session-16-the-speed-targets-re-measured-and-where-two-threads-lose",
                anchor("Zen 4 machine (session 16): the speed targets re-measured, and where two threads lose"));
        assertEquals("benchmark-history-on-the-amd-and-emerald-rapids-machines-sessions-616",
                anchor("Benchmark history on the AMD and Emerald Rapids machines (sessions 6–16)"));
        assertEquals("eval", anchor("`eval`"));
        Path page = tmp.resolve("page.md");
        Files.writeString(page, """
                # Title
                ## Part
                ## Part
                [ok](#part-1) [ok too](other.md) [no anchor](#parts) [no file](missing.md#x)
                `[in code](missing.md)`
                ```
                [in a block](missing.md)
                ```
                [web](https://example.com/x.md)
                """);
        Files.writeString(tmp.resolve("other.md"), "# Other\n");
        assertEquals(List.of("#part-1", "other.md", "#parts", "missing.md#x", "https://example.com/x.md"), links(page));
        assertEquals(null, check(page, "#part-1"));
        assertEquals(null, check(page, "other.md"));
        assertEquals("no heading #parts", check(page, "#parts"));
        assertEquals("no such file", check(page, "missing.md#x"));
        assertEquals(null, check(page, "https://example.com/x.md"));
    }

    /** The link targets of a Markdown page, outside fenced blocks and inline code. */
    static List<String> links(Path page) {
        List<String> out = new ArrayList<>();
        for (String line : prose(page)) {
            Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", ""));
            while (m.find()) out.add(m.group(1));
        }
        return out;
    }

    /** Null when {@code target}, linked from {@code page}, resolves; else what is wrong. */
    static String check(Path page, String target) {
        if (target.matches("^[a-z]+:.*")) return null; // http:, https:, mailto:
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path linked = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        if (!Files.exists(linked)) return "no such file";
        if (hash < 0) return null;
        String anchor = target.substring(hash + 1);
        if (!Files.isRegularFile(linked) || !linked.toString().endsWith(".md")) return "an anchor into a non-Markdown file";
        return anchors(linked).contains(anchor) ? null : "no heading #" + anchor;
    }

    /** The anchors of a page's headings (outside fenced blocks). */
    static Set<String> anchors(Path page) {
        Set<String> out = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : prose(page)) {
            Matcher m = HEADING.matcher(line);
            if (!m.matches()) continue;
            String a = anchor(m.group(1));
            int n = seen.merge(a, 1, Integer::sum);
            out.add(n == 1 ? a : a + "-" + (n - 1));
        }
        return out;
    }

    /** GitHub's anchor of a heading's text. */
    static String anchor(String heading) {
        return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\- _]", "").replace(' ', '-');
    }

    /** A page's lines outside fenced code blocks. */
    private static List<String> prose(Path page) {
        List<String> out = new ArrayList<>();
        boolean fenced = false;
        try {
            for (String line : Files.readAllLines(page)) {
                if (line.strip().startsWith("```")) fenced = !fenced;
                else if (!fenced) out.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
