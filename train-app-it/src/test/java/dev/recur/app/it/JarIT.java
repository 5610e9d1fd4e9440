package dev.recur.app.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar: its size, and each task run from it with its output going to a file (a log, CI). */
class JarIT {
    /** The jar with the embedded IMDB sample stays below this (issue 8, item 6). */
    static final long MAX_JAR_BYTES = 10L * 1024 * 1024;

    @TempDir Path dir;

    @Test
    void jarIsAtMostTenMebibytesWithTheEmbeddedSampleAndNoPdfLibraries() throws Exception {
        Path jar = Packaged.jar();
        assertTrue(Files.size(jar) <= MAX_JAR_BYTES, jar + " is " + Files.size(jar) + " bytes, more than 10 MiB");
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            assertTrue(zip.stream().anyMatch(e -> e.getName().endsWith("imdb-sample.tar.gz")), "the embedded sample is in the jar");
            assertFalse(zip.stream().anyMatch(e -> e.getName().startsWith("org/apache/pdfbox/")), "PDFBox is left out");
        }
    }

    /**
     * The entry point is a class any java from 8 on can load (class file version 52), so that a
     * user whose default java is older gets Recur's message rather than the JVM's class-version
     * error; the rest of the app is compiled for 25.
     */
    @Test
    void theEntryPointLoadsOnJava8AndHandsOverToTheApp() throws Exception {
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(Packaged.jar().toFile())) {
            String main = jar.getManifest().getMainAttributes().getValue("Main-Class");
            assertEquals("dev.recur.app.EntryPoint", main);
            assertEquals(52, majorVersion(jar, main), main + " is compiled for Java 8");
            assertEquals(69, majorVersion(jar, "dev.recur.app.Main"), "the app itself is compiled for Java 25");
        }
        List<String> cmd = new ArrayList<>(Packaged.java(null));
        cmd.add("--version");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(1, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains("needs Java"), out);
    }

    private static int majorVersion(java.util.jar.JarFile jar, String className) throws java.io.IOException {
        try (java.io.DataInputStream in = new java.io.DataInputStream(jar.getInputStream(jar.getEntry(className.replace('.', '/') + ".class")))) {
            in.readInt(); // 0xCAFEBABE
            in.readUnsignedShort(); // minor
            return in.readUnsignedShort();
        }
    }

    @Test
    void toAFileEachTaskWritesPlainLinesAndItsPlotsRender() throws Exception {
        for (List<String> task : Packaged.tasks(dir)) {
            List<String> cmd = new ArrayList<>(Packaged.java(null));
            cmd.addAll(task);
            Path log = dir.resolve(task.getFirst() + ".log");
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertTrue(p.waitFor(4, TimeUnit.MINUTES), task.getFirst() + " did not finish in 4 minutes");
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            assertFalse(out.contains("\u001b"), "no escape codes in the log of " + task.getFirst() + ":\n" + out);
            assertFalse(out.contains("\r"), "no carriage returns in the log of " + task.getFirst() + ":\n" + out);
            String last = task.getFirst().equals("train") ? "epoch 1/1 100%" : "epoch 2/2 100%";
            assertTrue(out.lines().anyMatch(l -> l.startsWith(last)), "the bar's last line, plain:\n" + out);
            String png = task.getFirst().equals("train") ? "training-curves.png" : "curve.png";
            BufferedImage plot = ImageIO.read(dir.resolve(task.getFirst()).resolve(png).toFile());
            assertTrue(plot != null && plot.getWidth() >= 300 && plot.getHeight() >= 200, png + " of " + task.getFirst() + " renders");
            if (task.getFirst().equals("train")) {
                assertTrue(out.lines().anyMatch(l -> l.startsWith("data: ") && l.contains("read in")),
                        "information lines are whole in a log:\n" + out);
                assertTrue(out.contains("try: java --add-modules jdk.incubator.vector -jar " + Packaged.jar() + " predict --checkpoint "),
                        "started with java -jar, the hint is the java -jar command:\n" + out);
            }
        }
    }
}
