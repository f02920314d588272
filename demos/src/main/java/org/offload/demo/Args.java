package org.offload.demo;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/** Walks command-line arguments; a missing or invalid value is a {@link UsageException}. */
final class Args {
    /** Bad command-line arguments: the program prints the message and its usage, then exits 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private final Deque<String> rest;

    Args(String[] args) {
        this.rest = new ArrayDeque<>(Arrays.asList(args));
    }

    boolean hasNext() {
        return !rest.isEmpty();
    }

    String next() {
        return rest.removeFirst();
    }

    /** The value after {@code option}. */
    String value(String option) {
        if (rest.isEmpty()) {
            throw new UsageException(option + " needs a value");
        }
        return rest.removeFirst();
    }

    /** The integer after {@code option}, in {@code min..max}. */
    int intValue(String option, int min, int max) {
        String raw = value(option);
        try {
            int v = Integer.parseInt(raw);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new UsageException(option + " must be an integer in " + min + ".." + max + " but was '" + raw + "'");
    }

    /** A process id after {@code option}. */
    long pidValue(String option) {
        String raw = value(option);
        try {
            long pid = Long.parseLong(raw);
            if (pid > 0) {
                return pid;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new UsageException(option + " must be a process id but was '" + raw + "'");
    }
}
