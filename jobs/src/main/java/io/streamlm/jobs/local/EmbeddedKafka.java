package io.streamlm.jobs.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A one-node KRaft Kafka broker inside this JVM (Kafka's own test kit), for the demo and the integration
 * tests. Replication factors are 1 so transactions work on one node.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static EmbeddedKafka start() throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "4")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "4")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                // the prompt-too-long sample is a few hundred KB
                .setConfigProp("message.max.bytes", String.valueOf(4 << 20))
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new EmbeddedKafka(cluster);
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /**
     * Creates topics and waits until every partition has a leader: producing right after creation can
     * otherwise lose records silently (KAFKA-15591, STACK.md §2).
     */
    public void createTopics(Map<String, Integer> partitionsByTopic) throws Exception {
        try (Admin admin = Admin.create(adminProps())) {
            List<NewTopic> topics = new ArrayList<>();
            partitionsByTopic.forEach((name, n) -> topics.add(new NewTopic(name, n, (short) 1)));
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                Map<String, TopicDescription> d = admin.describeTopics(partitionsByTopic.keySet()).allTopicNames()
                        .get(30, TimeUnit.SECONDS);
                boolean ready = d.values().stream().allMatch(t -> t.partitions().stream().allMatch(p -> p.leader() != null));
                if (ready) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topics " + partitionsByTopic.keySet() + " have no leaders after 30 s");
                }
                Thread.sleep(50);
            }
        }
    }

    private Properties adminProps() {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrapServers());
        return p;
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
