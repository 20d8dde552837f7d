package io.streamlm.jobs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The demo's flags. */
record DemoOptions(int numRequests, int maxTokens, int parallelism, Optional<Path> model, Duration timeout, boolean help) {
    static final String USAGE = """
            usage: ./streamlm demo [--requests N] [--max-tokens N] [--parallelism N] [--model DIR] [--timeout-s N]
              --requests N     valid sample requests to send (default 64); malformed records are added on top
              --max-tokens N   new tokens per request (default 16)
              --parallelism N  Flink parallelism, one engine shared by all subtasks (default 2)
              --model DIR      checkpoint to serve (default: the tiny random model, generated once into ~/.cache/streamlm)
              --timeout-s N    give up waiting for completions after N seconds (default 300)""";

    static DemoOptions parse(String[] argv) {
        int requests = 64;
        int maxTokens = 16;
        int parallelism = 2;
        Optional<Path> model = Optional.empty();
        int timeoutSeconds = 300;
        for (int i = 0; i < argv.length; i++) {
            String flag = argv[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                return new DemoOptions(requests, maxTokens, parallelism, model, Duration.ofSeconds(timeoutSeconds), true);
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
                default -> throw new IllegalArgumentException("unknown flag " + flag);
            }
        }
        return new DemoOptions(requests, maxTokens, parallelism, model, Duration.ofSeconds(timeoutSeconds), false);
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
