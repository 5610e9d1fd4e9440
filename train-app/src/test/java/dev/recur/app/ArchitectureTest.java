package dev.recur.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The app's package rules (docs/architecture.md), read from the main sources: no package cycles,
 * task packages never use each other, and only {@code cli} (with the entry point) knows picocli.
 */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src/main/java/dev/recur/app");
    private static final Pattern REF = Pattern.compile("\\bdev\\.recur\\.app((?:\\.[a-z]\\w*)*)");
    private static final Set<String> TASKS = Set.of("sentiment", "lm", "tag", "lab", "forecast", "translate", "speech");

    /** Package → the app packages its sources name (imports and qualified names), itself left out. */
    static Map<String, Set<String>> graph() throws IOException {
        Map<String, Set<String>> g = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Path rel = MAIN.relativize(f.getParent());
                String pkg = rel.toString().isEmpty() ? "(root)" : rel.toString().replace('/', '.');
                Set<String> uses = g.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = REF.matcher(Files.readString(f));
                while (m.find()) {
                    String used = m.group(1).isEmpty() ? "(root)" : m.group(1).substring(1);
                    if (!used.equals(pkg)) uses.add(used);
                }
            }
        }
        return g;
    }

    @Test
    void thePackagesAreTheDocumentedOnes() throws IOException {
        assertEquals(Set.of("(root)", "cli", "core", "data", "run", "run.progress", "sentiment", "lm", "tag", "lab", "forecast", "translate", "speech", "tools")
                .containsAll(graph().keySet()), true, "unexpected package among " + graph().keySet());
    }

    @Test
    void noPackageCycles() throws IOException {
        Map<String, Set<String>> g = graph();
        for (String start : g.keySet()) {
            List<String> path = cycleFrom(start, start, g, new ArrayList<>(List.of(start)), new TreeSet<>());
            assertEquals(null, path, "package cycle: " + path);
        }
    }

    private static List<String> cycleFrom(String start, String at, Map<String, Set<String>> g, List<String> path, Set<String> seen) {
        for (String next : g.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                List<String> p = new ArrayList<>(path);
                p.add(start);
                return p;
            }
            if (seen.add(next)) {
                path.add(next);
                List<String> found = cycleFrom(start, next, g, path, seen);
                if (found != null) return found;
                path.removeLast();
            }
        }
        return null;
    }

    @Test
    void tasksNeverUseEachOther() throws IOException {
        Map<String, Set<String>> g = graph();
        for (String task : TASKS) {
            Set<String> other = new TreeSet<>(g.getOrDefault(task, Set.of()));
            other.retainAll(TASKS);
            assertEquals(Set.of(), other, task + " uses other task packages");
            assertTrue(!g.getOrDefault(task, Set.of()).contains("cli"), task + " must not use cli (cli parses, tasks run)");
        }
    }

    @Test
    void onlyTheCommandLineKnowsPicocli() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String rel = MAIN.relativize(f).toString();
                if (rel.startsWith("cli/") || !rel.contains("/")) continue; // cli and the entry point (Main, ErrorHandling)
                assertTrue(!Files.readString(f).contains("picocli"), rel + " uses picocli; option parsing belongs in cli/");
            }
        }
    }

    @Test
    void theRulesCanFail() {
        Map<String, Set<String>> g = Map.of("a", Set.of("b"), "b", Set.of("a"));
        assertEquals(List.of("a", "b", "a"), cycleFrom("a", "a", g, new ArrayList<>(List.of("a")), new TreeSet<>()));
    }
}
