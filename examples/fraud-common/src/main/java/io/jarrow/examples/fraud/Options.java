package io.jarrow.examples.fraud;

import java.util.HashMap;
import java.util.Map;

/** The demos' command-line options: {@code --name value} pairs and {@code --flag}s. */
public final class Options {
    private final Map<String, String> values;

    private Options(Map<String, String> values) {
        this.values = values;
    }

    public static Options parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i] + ": options start with --");
            }
            boolean flag = i + 1 == args.length || args[i + 1].startsWith("--");
            options.put(args[i], flag ? "" : args[++i]);
        }
        return new Options(options);
    }

    /** The option's value, or null. */
    public String get(String name) {
        return values.get(name);
    }

    public String get(String name, String otherwise) {
        return values.getOrDefault(name, otherwise);
    }

    public int integer(String name, int otherwise) {
        String value = values.get(name);
        if (value == null) {
            return otherwise;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " takes a whole number, not '" + value + "'");
        }
    }

    public boolean flag(String name) {
        return values.containsKey(name);
    }

    public String required(String name) {
        String value = values.get(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("missing " + name);
        }
        return value;
    }
}
