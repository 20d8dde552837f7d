package io.streamlm.cli;

import java.io.PrintStream;
import java.util.List;
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

    /**
     * Runs the command on the raw arguments after its name. The default parses them as flags; a command with
     * sub-commands (e.g. {@code bench decode}) takes its positional word off first.
     */
    default int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        return run(new Args(argv, switches(), out, err));
    }
}
