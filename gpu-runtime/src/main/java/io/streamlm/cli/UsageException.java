package io.streamlm.cli;

/** A command line the command cannot run: unknown flag, missing value, value out of range. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
