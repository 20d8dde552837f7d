package io.streamlm.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The kernel files the build packs, and which one a device of a given compute capability loads. */
class KernelFilesTest {
    private static final KernelFiles.Manifest M = new KernelFiles.Manifest(List.of("attention"), List.of(80, 89, 90), 90);

    @Test
    void choosesCubinOfSameMajorNotNewerThanDevice() {
        assertEquals(new KernelFiles.Choice("cuda/attention.sm_90.cubin", false), KernelFiles.choose(M, "attention", 9, 0));
        assertEquals(new KernelFiles.Choice("cuda/attention.sm_80.cubin", false), KernelFiles.choose(M, "attention", 8, 0));
        assertEquals(new KernelFiles.Choice("cuda/attention.sm_80.cubin", false), KernelFiles.choose(M, "attention", 8, 6));
        assertEquals(new KernelFiles.Choice("cuda/attention.sm_89.cubin", false), KernelFiles.choose(M, "attention", 8, 9));
    }

    @Test
    void newerGpusGetThePtxAndOlderOnesAClearError() {
        assertEquals(new KernelFiles.Choice("cuda/attention.compute_90.ptx", true), KernelFiles.choose(M, "attention", 10, 0));
        assertEquals(new KernelFiles.Choice("cuda/attention.compute_90.ptx", true), KernelFiles.choose(M, "attention", 12, 0));
        CudaException e = assertThrows(CudaException.class, () -> KernelFiles.choose(M, "attention", 7, 5));
        assertTrue(e.getMessage().contains("7.5"), e.getMessage());
    }

    /** Every .cu family is in the jar's resources for every architecture, or the jar says it has no kernels. */
    @Test
    void everyFamilyIsPackedPerArchitecture() throws IOException {
        Set<String> sources;
        try (Stream<Path> s = Files.list(Path.of("src/main/cuda"))) {
            sources = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu"))
                    .map(n -> n.substring(0, n.length() - 3)).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(12, sources.size(), "kernel families " + sources);
        Optional<KernelFiles.Manifest> m = KernelFiles.manifest();
        if (m.isEmpty()) {
            assertEquals(Optional.of(KernelFiles.NO_NVCC), KernelFiles.missingReason());
            assertFalse(CudaProbe.available());
            return;
        }
        assertEquals(sources, new TreeSet<>(m.get().families()));
        assertEquals(List.of(80, 89, 90), m.get().cubinArchs());
        for (String fam : sources) {
            for (int arch : m.get().cubinArchs()) {
                assertResource("cuda/" + fam + ".sm_" + arch + ".cubin", false);
            }
            assertResource("cuda/" + fam + ".compute_" + m.get().ptxArch() + ".ptx", true);
        }
    }

    private static void assertResource(String name, boolean ptx) throws IOException {
        try (InputStream in = KernelFilesTest.class.getClassLoader().getResourceAsStream(name)) {
            assertNotNull(in, "missing resource " + name);
            byte[] b = in.readAllBytes();
            if (ptx) {
                String head = new String(b, 0, Math.min(b.length, 4000), java.nio.charset.StandardCharsets.US_ASCII);
                assertTrue(head.contains(".target sm_90"), name + " is not compute_90 PTX");
            } else {
                assertTrue(b.length > 64 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F', name + " is not an ELF cubin");
            }
        }
    }
}
