package io.streamlm.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parsed {@code --flag value} / {@code --switch} arguments. Every flag must be consumed by the command;
 * {@link #finish()} rejects the ones that were not, so typos never pass silently.
 */
final class Args {
    private final Map<String, List<String>> values = new LinkedHashMap<>(); // flag -> its values, in order
    private final Set<String> switches;
    private final List<String> seen = new ArrayList<>();
    private final PrintStream out;
    private final PrintStream err;

    /**
     * @param argv     the arguments after the subcommand
     * @param switches flags that take no value (e.g. {@code --no-prefix-cache})
     */
    Args(List<String> argv, Set<String> switches) {
        this(argv, switches, System.out, System.err);
    }

    /** As above, with the streams the command prints to (tests capture them). */
    Args(List<String> argv, Set<String> switches, PrintStream out, PrintStream err) {
        this.switches = switches;
        this.out = out;
        this.err = err;
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (!a.startsWith("--") || a.length() == 2) {
                throw new UsageException("unexpected argument '" + a + "' (flags look like --name value)");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (switches.contains(name)) {
                value = "true";
            } else {
                if (i + 1 >= argv.size()) {
                    throw new UsageException("flag --" + name + " needs a value");
                }
                value = argv.get(++i);
            }
            values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
    }

    /** Where the command's results go. */
    PrintStream out() {
        return out;
    }

    /** Where progress and summaries go. */
    PrintStream err() {
        return err;
    }

    /** A flag given at most once. */
    Optional<String> string(String name) {
        List<String> all = strings(name);
        if (all.size() > 1) {
            throw new UsageException("flag --" + name + " given twice");
        }
        return all.stream().findFirst();
    }

    /** Every value of a repeatable flag, in command-line order (empty when absent). */
    List<String> strings(String name) {
        seen.add(name);
        return values.getOrDefault(name, List.of());
    }

    String requireString(String name) {
        return string(name).orElseThrow(() -> new UsageException("missing required flag --" + name));
    }

    Path requirePath(String name) {
        return Path.of(requireString(name));
    }

    boolean flag(String name) {
        if (!switches.contains(name)) {
            throw new IllegalStateException("--" + name + " is not declared as a switch");
        }
        return string(name).map(Boolean::parseBoolean).orElse(false);
    }

    Optional<Integer> integer(String name) {
        return string(name).map(v -> parseInt(name, v));
    }

    int integer(String name, int defaultValue, int min, int max) {
        int v = integer(name).orElse(defaultValue);
        if (v < min || v > max) {
            throw new UsageException("--" + name + " must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    Optional<Long> longValue(String name) {
        return string(name).map(v -> {
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new UsageException("--" + name + " must be an integer, got '" + v + "'");
            }
        });
    }

    Optional<Double> number(String name) {
        return string(name).map(v -> {
            double d;
            try {
                d = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new UsageException("--" + name + " must be a number, got '" + v + "'");
            }
            if (!Double.isFinite(d)) {
                throw new UsageException("--" + name + " must be a finite number, got '" + v + "'");
            }
            return d;
        });
    }

    /** Comma-separated integers, e.g. {@code --tokens 5,17,3}. */
    Optional<int[]> intList(String name) {
        return string(name).map(v -> {
            String[] parts = v.split(",");
            int[] out = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                out[i] = parseInt(name, parts[i].trim());
            }
            return out;
        });
    }

    /** Rejects flags the command did not read. Call after reading every flag. */
    void finish() {
        for (String name : values.keySet()) {
            if (!seen.contains(name)) {
                throw new UsageException("unknown flag --" + name);
            }
        }
    }

    private static int parseInt(String name, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer, got '" + v + "'");
        }
    }
}
