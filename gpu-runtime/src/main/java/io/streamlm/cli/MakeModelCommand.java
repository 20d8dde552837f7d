package io.streamlm.cli;

import io.streamlm.model.CheckpointLayout;
import io.streamlm.model.DType;
import io.streamlm.model.ModelPreset;
import io.streamlm.model.RandomCheckpointWriter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/** {@code ./streamlm make-model}: a random-weight checkpoint at a real model's shape. */
final class MakeModelCommand implements Command {
    @Override
    public String name() {
        return "make-model";
    }

    @Override
    public String summary() {
        return "write a random-weight HF checkpoint at a real shape (tiny, qwen3.5-0.8b, qwen3.6-27b)";
    }

    @Override
    public String usage() {
        return """
                usage: ./streamlm make-model --preset %s --out DIR [flags]

                Writes config.json, model.safetensors (shards + index above 5 GB), tokenizer.json,
                tokenizer_config.json and generation_config.json, with random weights scaled so activations
                stay sane. Prints a JSON summary as the last line.

                  --preset NAME        model shape (required)
                  --out DIR            output directory (required; old weight files in it are replaced)
                  --dtype bf16|f32     weight dtype (default bf16; A_log and the gated norm stay f32 as published)
                  --seed N             random seed (default 0); the same seed writes the same bytes
                  --layout conditional|causal
                                       Qwen3_5ForConditionalGeneration as published (default) or flat Qwen3_5ForCausalLM
                  --threads N          writer threads (default: all cores)
                  --dry-run            print the summary (files, parameters, bytes) and write nothing
                """.formatted(ModelPreset.cliNames());
    }

    @Override
    public Set<String> switches() {
        return Set.of("dry-run");
    }

    @Override
    public int run(Args args) throws Exception {
        PrintStream out = args.out();
        String presetName = args.requireString("preset");
        ModelPreset preset = ModelPreset.fromCliName(presetName).orElseThrow(() -> new UsageException(
                "--preset must be one of " + ModelPreset.cliNames() + ", got '" + presetName + "'"));
        boolean dryRun = args.flag("dry-run");
        Path outDir = dryRun ? args.string("out").map(Path::of).orElse(null) : args.requirePath("out");
        DType dtype = parseDtype(args.string("dtype").orElse("bf16"));
        long seed = args.longValue("seed").orElse(0L);
        CheckpointLayout layout = parseLayout(args.string("layout").orElse("conditional"));
        int numThreads = args.integer("threads", Runtime.getRuntime().availableProcessors(), 1, 1024);
        args.finish();
        if (dryRun) {
            out.println(RandomCheckpointWriter.plan(preset, layout, dtype).toJson());
            return 0;
        }
        long startNanos = System.nanoTime();
        RandomCheckpointWriter.Plan plan = RandomCheckpointWriter.write(preset, outDir, dtype, seed, layout, numThreads);
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        args.err().printf("wrote %s: %d tensors, %.3f B parameters, %.2f GB in %.1f s%n", outDir, plan.numTensors(),
                plan.numParameters() / 1e9, plan.tensorBytes() / 1e9, seconds);
        out.println(plan.toJson());
        return 0;
    }

    private static DType parseDtype(String v) {
        return switch (v.toLowerCase()) {
            case "bf16" -> DType.BF16;
            case "f32" -> DType.F32;
            default -> throw new UsageException("--dtype must be bf16 or f32, got '" + v + "'");
        };
    }

    private static CheckpointLayout parseLayout(String v) {
        return switch (v) {
            case "conditional" -> CheckpointLayout.CONDITIONAL;
            case "causal" -> CheckpointLayout.CAUSAL;
            default -> throw new UsageException("--layout must be conditional or causal, got '" + v + "'");
        };
    }
}
