package dev.recur.app.run;

import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * How the user starts this program, for the hints it prints ({@code try: ./recur run predict ...}).
 * The {@code recur} script names itself in the system property {@value #PROPERTY}; without it
 * (the jar started directly) the hint is the {@code java -jar} command for this jar.
 */
public final class Launcher {
    private Launcher() {}

    /** The system property that holds the command starting the app, e.g. {@code ./recur run}. */
    public static final String PROPERTY = "recur.launcher";

    /** The command that starts the app, to which a subcommand and its options are appended. */
    public static String command() {
        String launcher = System.getProperty(PROPERTY, "").strip();
        if (!launcher.isEmpty()) return launcher;
        return "java --add-modules jdk.incubator.vector -jar " + jar();
    }

    /** This program's jar as a path relative to the working folder when it is below it; else {@code train-app.jar}. */
    private static String jar() {
        try {
            var source = Launcher.class.getProtectionDomain().getCodeSource();
            if (source != null) {
                Path jar = Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
                if (jar.getFileName() != null && jar.getFileName().toString().endsWith(".jar")) {
                    Path here = Path.of("").toAbsolutePath();
                    Path shown = jar.startsWith(here) ? here.relativize(jar) : jar;
                    String s = shown.toString();
                    return s.contains(" ") ? "'" + s + "'" : s;
                }
            }
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            // the plain name below
        }
        return "train-app.jar";
    }
}
