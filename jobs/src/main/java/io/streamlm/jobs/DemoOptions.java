package io.streamlm.jobs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The demo's flags. */
record DemoOptions(int numRequests, int maxTokens, int parallelism, Optional<Path> model, Duration timeout,
        Optional<Workload> sharedPrefix, int maxRunning, boolean help) {

    /** The bench-serve-like workload: a shared random prefix + a unique suffix, in token ids. */
    record Workload(int prefixTokens, int suffixTokens) {}

    static final String USAGE = """
            usage: ./streamlm demo [--requests N] [--max-tokens N] [--parallelism N] [--model DIR] [--timeout-s N]
              --requests N     valid sample requests to send (default 64); malformed records are added on top
              --max-tokens N   new tokens per request (default 16)
              --parallelism N  Flink parallelism, one engine shared by all subtasks (default 2)
              --model DIR      checkpoint to serve (default: the tiny random model, generated once into ~/.cache/streamlm)
              --timeout-s N    give up waiting for completions after N seconds (default 300)
              --max-running N  requests in one engine step at most (default 64)
              --workload W     mixed (default: templates, free and chat prompts) or shared-prefix (token-id prompts
                               like ./streamlm bench serve --workload shared-prefix, to compare with the bare engine)
              --prefix-tokens P, --suffix-tokens S   the shared-prefix workload's shape (default 256, 32)""";

    static DemoOptions parse(String[] argv) {
        int requests = 64;
        int maxTokens = 16;
        int parallelism = 2;
        Optional<Path> model = Optional.empty();
        int timeoutSeconds = 300;
        int maxRunning = 64;
        String workload = "mixed";
        int prefixTokens = 256;
        int suffixTokens = 32;
        for (int i = 0; i < argv.length; i++) {
            String flag = argv[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                return new DemoOptions(requests, maxTokens, parallelism, model, Duration.ofSeconds(timeoutSeconds),
                        Optional.empty(), maxRunning, true);
            }
            if (i + 1 >= argv.length) {
                throw new IllegalArgumentException("flag " + flag + " needs a value");
            }
            String value = argv[++i];
            switch (flag) {
                case "--requests" -> requests = intIn(flag, value, 1, 100_000);
                case "--max-tokens" -> maxTokens = intIn(flag, value, 1, 4096);
                case "--parallelism" -> parallelism = intIn(flag, value, 1, 64);
                case "--model" -> model = Optional.of(Path.of(value));
                case "--timeout-s" -> timeoutSeconds = intIn(flag, value, 1, 86_400);
                case "--max-running" -> maxRunning = intIn(flag, value, 1, 4096);
                case "--workload" -> workload = value;
                case "--prefix-tokens" -> prefixTokens = intIn(flag, value, 0, 100_000);
                case "--suffix-tokens" -> suffixTokens = intIn(flag, value, 1, 100_000);
                default -> throw new IllegalArgumentException("unknown flag " + flag);
            }
        }
        if (!workload.equals("mixed") && !workload.equals("shared-prefix")) {
            throw new IllegalArgumentException("--workload must be mixed or shared-prefix, got '" + workload + "'");
        }
        Optional<Workload> shared = workload.equals("shared-prefix") ? Optional.of(new Workload(prefixTokens, suffixTokens))
                : Optional.empty();
        return new DemoOptions(requests, maxTokens, parallelism, model, Duration.ofSeconds(timeoutSeconds), shared,
                maxRunning, false);
    }

    private static int intIn(String flag, String value, int min, int max) {
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be an integer, got '" + value + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(flag + " must be in [" + min + ", " + max + "], got " + n);
        }
        return n;
    }
}
