package io.streamlm.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlm.operators.inference.ModelEngineFactory;
import io.streamlm.schemas.serde.WireFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigParserTest {

    private static IllegalArgumentException fails(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> JobConfigParser.parse(args));
    }

    @Test
    void defaultsAndOverrides() {
        JobConfig c = JobConfigParser.parse(new String[] {"--bootstrap.servers", "k:9092", "--model.path=/models/q",
                "--parallelism", "4", "--backend", "AUTO", "--metrics.port", "0", "--output.format", "json",
                "--kafka.security.protocol", "SASL_SSL", "--kafka.sasl.mechanism", "PLAIN"});
        assertEquals("k:9092", c.bootstrapServers());
        assertEquals("streamlm.prompts", c.topics().prompts());
        assertEquals("streamlm.dead-letters", c.topics().deadLetters());
        assertEquals(4, c.parallelism());
        assertEquals(ModelEngineFactory.BackendKind.AUTO, c.engine().backend());
        assertEquals("q", c.engine().modelId());
        assertEquals(Optional.of(0), c.inference().metricsPort());
        assertEquals(WireFormat.JSON, c.outputFormat());
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN"), c.kafkaProperties());
        assertEquals(600_000, c.transactionTimeout().toMillis());
    }

    @Test
    void propertiesFileWithFlagsOnTop(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.properties");
        Files.writeString(file, "bootstrap.servers=a:1\nmodel.path=/m\nbatch.size=16\nmax-in-flight=128\n");
        JobConfig c = JobConfigParser.parse(new String[] {"--config", file.toString(), "--batch.size", "32"});
        assertEquals("a:1", c.bootstrapServers());
        assertEquals(32, c.inference().maxBatchRecords());
        assertEquals(128, c.inference().maxInFlight());
        assertTrue(c.inference().metricsPort().isEmpty(), "no metrics server unless a port is given");
    }

    @Test
    void errorsNameTheSetting() {
        assertTrue(fails("--model.path", "/m").getMessage().contains("'bootstrap.servers'"));
        assertTrue(fails("--bootstrap.servers", "k", "--model.path", "/m", "--batch-size", "3").getMessage()
                .contains("unknown setting 'batch-size'"));
        assertTrue(fails("--bootstrap.servers", "k", "--model.path", "/m", "--parallelism", "two").getMessage()
                .contains("'parallelism' must be an integer"));
        assertTrue(fails("--bootstrap.servers", "k", "--model.path", "/m", "--backend", "tpu").getMessage()
                .contains("cpu|cuda|auto"));
        assertTrue(fails("--bootstrap.servers", "k", "--model.path", "/m", "--batch.size", "64", "--max-in-flight", "8")
                .getMessage().contains("max in-flight"));
        assertTrue(fails("--bootstrap.servers", "k", "--model.path", "/m", "--metrics.port", "70000").getMessage()
                .contains("'metrics.port'"));
        assertTrue(fails("--config", "/no/such/file.properties").getMessage().contains("cannot read config file"));
        assertTrue(fails("stray").getMessage().contains("unexpected argument"));
    }
}
