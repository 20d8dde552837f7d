package io.streamlm.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code ./streamlm} for everything that needs only the runtime (no Flink): logits, generate, make-model,
 * bench. The pipeline's {@code demo} lives in the jobs module; the launcher script dispatches to it.
 */
public final class Main {
    private Main() {}

    /** Every runtime subcommand; add new ones here. */
    static List<Command> commands() {
        return commands(System.out, System.err);
    }

    /** The commands, printing results to {@code out} and progress to {@code err} (tests capture both). */
    static List<Command> commands(PrintStream out, PrintStream err) {
        return List.of(new LogitsCommand(out), new GenerateCommand(), new BenchDecodeCommand(out, err),
                new MakeModelCommand(), new TokenizeCommand());
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    /** Runs one command line; what a command prints goes to {@code out} and {@code err} (tests capture them). */
    public static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0 || argv[0].equals("help") || argv[0].equals("--help") || argv[0].equals("-h")) {
            printCommands(out);
            return argv.length == 0 ? 2 : 0;
        }
        Optional<Command> cmd = commands(out, err).stream().filter(c -> c.name().equals(argv[0])).findFirst();
        if (cmd.isEmpty()) {
            err.println("streamlm: unknown command '" + argv[0] + "'");
            printCommands(err);
            return 2;
        }
        List<String> rest = Arrays.asList(argv).subList(1, argv.length);
        if (rest.contains("--help") || rest.contains("-h")) {
            out.println(cmd.get().usage());
            return 0;
        }
        try {
            return cmd.get().run(rest, out, err);
        } catch (UsageException e) {
            err.println("streamlm " + cmd.get().name() + ": " + e.getMessage());
            err.println();
            err.println(cmd.get().usage());
            return 2;
        } catch (Exception e) {
            err.println("streamlm " + cmd.get().name() + ": error: " + describe(e));
            return 1;
        }
    }

    /** One line naming what went wrong, with its cause chain, for a user rather than a developer. */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(": ").append(c.getMessage());
            }
        }
        return sb.toString();
    }

    private static void printCommands(PrintStream s) {
        s.println("usage: ./streamlm <command> [flags]   (./streamlm <command> --help for its flags)");
        s.println();
        s.println("  demo          run the streaming pipeline on an embedded Kafka + Flink MiniCluster");
        for (Command c : commands()) {
            s.printf("  %-13s %s%n", c.name(), c.summary());
        }
    }
}
