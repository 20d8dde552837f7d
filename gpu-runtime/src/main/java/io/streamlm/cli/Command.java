package io.streamlm.cli;

import java.util.Set;

/** One {@code ./streamlm} subcommand. */
interface Command {

    /** The word after {@code ./streamlm}. */
    String name();

    /** One line for the command list. */
    String summary();

    /** The full usage text: synopsis and every flag. */
    String usage();

    /** Flags that take no value (e.g. {@code --no-prefix-cache}). */
    default Set<String> switches() {
        return Set.of();
    }

    /**
     * Runs the command. Bad flags or values throw {@link UsageException}; the dispatcher prints its message
     * and the usage, never a stack trace.
     *
     * @return the process exit code
     */
    int run(Args args) throws Exception;
}
