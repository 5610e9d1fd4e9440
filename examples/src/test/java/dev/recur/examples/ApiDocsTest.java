package dev.recur.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.DocumentationTool;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API reference of the library artifacts builds: javadoc over engine's and layers' sources
 * with doclint on (broken links, malformed HTML, bad tags are errors; a missing comment is not), as
 * {@code mvn compile javadoc:javadoc} runs it.
 */
class ApiDocsTest {
    @TempDir Path out;

    @Test
    void engineAndLayersJavadocHasNoErrors() {
        Path root = Path.of("..").toAbsolutePath().normalize();
        String sources = root.resolve("engine/src/main/java") + java.io.File.pathSeparator + root.resolve("layers/src/main/java");
        assertTrue(Files.isDirectory(root.resolve("layers/src/main/java/dev/recur/layers")), "run from the examples module");
        DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
        StringWriter log = new StringWriter();
        List<String> options = List.of("--release", "25", "--add-modules", "jdk.incubator.vector", "-Xdoclint:all,-missing",
                "-quiet", "-d", out.toString(), "-sourcepath", sources, "-subpackages", "dev.recur.engine:dev.recur.layers");
        DocumentationTool.DocumentationTask task = javadoc.getTask(log, null, null, null, options, null);
        boolean ok = task.call();
        String errors = String.join("\n", log.toString().lines().filter(l -> l.contains("error:")).toList());
        assertEquals("", errors, "javadoc errors (escape a bare < as &lt; outside {@code})");
        assertTrue(ok, log.toString());
        assertTrue(Files.exists(out.resolve("dev/recur/layers/model/SequenceClassifier.html")));
    }
}
