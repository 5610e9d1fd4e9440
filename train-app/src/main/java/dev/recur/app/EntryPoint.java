package dev.recur.app;

import java.lang.reflect.InvocationTargetException;

/**
 * The jar's entry point, compiled for Java 8 so that any java can load it: on a java older than
 * {@value #NEEDED} it says which java ran it and how to run Recur instead (the JVM's own answer is a
 * {@code LinkageError} about class file versions); on a new enough one it hands over to {@link Main}.
 * Machines with several JDKs often have an older one as the default {@code java}.
 */
public final class EntryPoint {
    /** The oldest Java release Recur runs on. */
    static final int NEEDED = 25;

    private EntryPoint() {}

    public static void main(String[] args) throws Throwable {
        String refusal = refusal(System.getProperty("java.specification.version"), System.getProperty("java.home"));
        if (refusal != null) {
            System.err.println(refusal);
            System.exit(2);
        }
        try {
            Class.forName("dev.recur.app.Main").getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The message for a java of specification version {@code spec} ("1.8", "17", "25"), or null when it is new enough. */
    static String refusal(String spec, String javaHome) {
        int feature = feature(spec);
        if (feature >= NEEDED) return null;
        return "error: Recur needs Java " + NEEDED + " or newer; this java is " + (feature > 0 ? "Java " + feature : "'" + spec + "'")
                + " (" + javaHome + ").\n"
                + "Run the jar with the java of a JDK " + NEEDED + ": JDK/bin/java --add-modules jdk.incubator.vector -jar train-app.jar ...,\n"
                + "or use ./recur run from the project folder, which finds one.";
    }

    /** 8 for "1.8", 17 for "17", 0 when unreadable. */
    static int feature(String spec) {
        if (spec == null) return 0;
        String s = spec.startsWith("1.") ? spec.substring(2) : spec;
        int dot = s.indexOf('.');
        if (dot >= 0) s = s.substring(0, dot);
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
