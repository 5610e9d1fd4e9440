package dev.recur.app.cli;

import dev.recur.app.core.AppException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The options that define a run (model, data preparation, optimisation, seed), recorded in its
 * checkpoints and compared by {@code --resume}: an option given again with the value the run was
 * started with is accepted; one with another value is refused, naming the option and both values.
 */
final class RunOptions {
    private RunOptions() {}

    /** The current values of {@code names} (as strings, the way the command line would spell them). */
    static Map<String, String> of(CommandSpec spec, List<String> names) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String n : names) {
            OptionSpec o = spec.findOption(n);
            if (o == null) throw new IllegalStateException("no option " + n);
            m.put(n, text(o.getValue()));
        }
        return m;
    }

    /**
     * Refuses, as a usage error, every option among {@code names} that was given on this command
     * line with another value than {@code stored} (the run's recorded options).
     */
    static void checkResume(ParseResult given, Map<String, String> stored, List<String> names, Path checkpoint) {
        check(given, stored, names, "--resume continues the run in " + checkpoint + " with its own settings, and these differ",
                "Drop them or give the run's values.", "the run was started with");
    }

    /**
     * Refuses, as a usage error starting with {@code what}, every option among {@code names} given
     * with another value than in {@code stored}, each as "--option VALUE (HAD STORED)"; {@code advice}
     * ends the message.
     */
    static void check(ParseResult given, Map<String, String> stored, List<String> names, String what, String advice,
                      String had) {
        List<String> differ = new ArrayList<>();
        for (String n : names) {
            if (!given.hasMatchedOption(n)) continue;
            String now = text(given.matchedOption(n).getValue());
            String then = stored.get(n);
            if (then == null) {
                differ.add(n + " " + now + " (not recorded in the checkpoint)");
            } else if (!same(then, now)) {
                differ.add(n + " " + now + " (" + had + " " + then + ")");
            }
        }
        if (!differ.isEmpty()) throw AppException.usage(what + ": " + String.join("; ", differ) + ". " + advice);
    }

    /**
     * Gives every option among {@code names} that this command line did not set the value the run
     * recorded in {@code stored} (so {@code --resume} continues with the run's own settings); an
     * option the checkpoint does not record keeps its default.
     */
    static void restore(CommandSpec spec, Map<String, String> stored, List<String> names) {
        ParseResult given = spec.commandLine().getParseResult();
        for (String n : names) {
            String v = stored.get(n);
            if (v == null || given.hasMatchedOption(n)) continue;
            OptionSpec o = spec.findOption(n);
            if (o == null) throw new IllegalStateException("no option " + n);
            o.setValue(parse(o.type(), v, n));
        }
    }

    private static Object parse(Class<?> type, String v, String name) {
        try {
            if (v.equals("null") && !type.isPrimitive()) return null;
            if (type == int.class || type == Integer.class) return Integer.valueOf(v);
            if (type == long.class || type == Long.class) return Long.valueOf(v);
            if (type == double.class || type == Double.class) return Double.valueOf(v);
            if (type == boolean.class || type == Boolean.class) return Boolean.valueOf(v);
            if (type == String.class) return v;
            if (type.isEnum()) {
                for (Object c : type.getEnumConstants()) if (((Enum<?>) c).name().equals(v)) return c;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw AppException.usage("the checkpoint records " + name + " as '" + v + "', which this version cannot read; "
                + "give " + name + " on the command line");
    }

    /** Option values in the checkpoint and on the command line: equal as text, or as numbers ("0.004" and "4e-3"). */
    private static boolean same(String a, String b) {
        if (a.equals(b)) return true;
        try {
            return Double.parseDouble(a) == Double.parseDouble(b);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String text(Object v) {
        if (v instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            for (Object o : l) parts.add(String.valueOf(o));
            return String.join(",", parts);
        }
        return String.valueOf(v);
    }
}
