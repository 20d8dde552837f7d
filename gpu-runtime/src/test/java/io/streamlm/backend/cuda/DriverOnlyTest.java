package io.streamlm.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Only the driver API, and only through the checked helper: JCublas / JNvrtc / the runtime API need CUDA 12
 * user-space libraries that CUDA 13 GPU machines lack, and an unchecked driver call hides failures.
 */
class DriverOnlyTest {

    @Test
    void onlyDriverJavaCallsTheDriver() throws IOException {
        List<Path> sources;
        try (Stream<Path> s = Files.walk(Path.of("src/main/java"))) {
            sources = s.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList());
        }
        assertTrue(sources.size() > 20);
        List<String> callers = sources.stream().filter(p -> read(p).contains("JCudaDriver"))
                .map(p -> p.getFileName().toString()).collect(Collectors.toList());
        assertEquals(List.of("Driver.java"), callers);
        for (Path p : sources) {
            String text = read(p);
            for (String banned : List.of("import jcuda.jcublas", "import jcuda.nvrtc", "import jcuda.runtime", "JCublas.", "JNvrtc.")) {
                assertTrue(!text.contains(banned), p + " uses " + banned);
            }
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
