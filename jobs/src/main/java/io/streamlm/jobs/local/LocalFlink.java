package io.streamlm.jobs.local;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A Flink MiniCluster in this JVM with its web UI (flink-runtime-web on the class path) on a free port in
 * 8081-8099, and the few job-control calls the demo and the integration tests need.
 */
public final class LocalFlink implements AutoCloseable {
    private final MiniCluster cluster;

    private LocalFlink(MiniCluster cluster) {
        this.cluster = cluster;
    }

    /** @param numTaskManagers TaskManagers, each with {@code slotsPerTaskManager} slots */
    public static LocalFlink start(int numTaskManagers, int slotsPerTaskManager) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "8081-8099");
        conf.set(RestOptions.BIND_ADDRESS, "localhost");
        conf.set(RestOptions.ADDRESS, "localhost");
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, org.apache.flink.configuration.MemorySize.ofMebiBytes(16));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(numTaskManagers).setNumSlotsPerTaskManager(slotsPerTaskManager).build());
        cluster.start();
        return new LocalFlink(cluster);
    }

    public URI webUi() throws Exception {
        return cluster.getRestAddress().get(30, TimeUnit.SECONDS);
    }

    public MiniCluster miniCluster() {
        return cluster;
    }

    /**
     * Submits the job built on {@code env} and waits until every task runs - i.e. every operator is open,
     * the engine loaded - so what is measured afterwards is the pipeline, not its start-up.
     */
    public JobID submit(StreamExecutionEnvironment env, String name) throws Exception {
        var graph = env.getStreamGraph();
        graph.setJobName(name);
        JobID id = cluster.submitJob(graph).get(60, TimeUnit.SECONDS).getJobID();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!allTasksRunning(id)) {
            if (System.nanoTime() > deadline || cluster.getJobStatus(id).get().isGloballyTerminalState()) {
                throw new IllegalStateException("job " + name + " did not start: " + cluster.getJobStatus(id).get());
            }
            Thread.sleep(50);
        }
        return id;
    }

    private boolean allTasksRunning(JobID id) throws Exception {
        if (cluster.getJobStatus(id).get() != JobStatus.RUNNING) {
            return false;
        }
        for (var v : cluster.getExecutionGraph(id).get().getAllExecutionVertices()) {
            if (v.getExecutionState() != ExecutionState.RUNNING) {
                return false;
            }
        }
        return true;
    }

    /** Checkpoints of the job completed so far (across restarts). */
    public long completedCheckpoints(JobID id) throws Exception {
        var stats = cluster.getExecutionGraph(id).get(30, TimeUnit.SECONDS).getCheckpointStatsSnapshot();
        return stats == null ? 0 : stats.getCounts().getNumberOfCompletedCheckpoints();
    }

    public JobStatus status(JobID id) throws Exception {
        return cluster.getJobStatus(id).get(30, TimeUnit.SECONDS);
    }

    public void cancel(JobID id) throws Exception {
        cluster.cancelJob(id).get(60, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!status(id).isGloballyTerminalState() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
