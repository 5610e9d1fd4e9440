package dev.recur.examples;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The command line of an example: positional arguments and {@code --name value} options. */
final class Options {
    private final List<String> positional = new ArrayList<>();
    private final Map<String, String> named = new HashMap<>();
    private final String usage;

    /** Parses {@code args}, accepting only the options in {@code known}; a clear error otherwise. */
    Options(String[] args, Set<String> known, String usage) {
        this.usage = usage;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--")) {
                if (!known.contains(a)) throw new UsageException("unknown option " + a + "\n" + usage);
                if (i + 1 >= args.length) throw new UsageException("option " + a + " needs a value\n" + usage);
                named.put(a, args[++i]);
            } else {
                positional.add(a);
            }
        }
    }

    /** The positional arguments, which must be exactly {@code count}. */
    List<String> positional(int count) {
        if (positional.size() != count) throw new UsageException("expected " + count + " arguments, got " + positional.size() + "\n" + usage);
        return positional;
    }

    /** The integer value of {@code name} in [{@code min}, {@code max}], or {@code fallback}. */
    int integer(String name, int fallback, int min, int max) {
        String v = named.get(name);
        if (v == null) return fallback;
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new UsageException(name + " must be an integer from " + min + " to " + max + ", got '" + v + "'");
    }

    /** A bad command line: exit status 2 and the usage. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) { super(message); }
    }
}
