package io.streamlm.engine;

/**
 * The one lifecycle of a request inside the engine. Only the {@link Scheduler} changes it.
 *
 * <pre>
 * WAITING -> RUNNING -> FINISHED_*        (normal)
 * RUNNING -> PREEMPTED -> RUNNING         (memory ran out: recompute from the prefix cache or from 0)
 * any unfinished -> FINISHED_*            (cancel, deadline, error, engine close)
 * </pre>
 */
enum RequestStatus {
    WAITING,
    RUNNING,
    PREEMPTED,
    FINISHED_STOPPED,
    FINISHED_LENGTH,
    FINISHED_DEADLINE,
    FINISHED_CANCELLED,
    FINISHED_ERROR;

    boolean isFinished() {
        return ordinal() >= FINISHED_STOPPED.ordinal();
    }

    /** Waiting for admission (first time or after preemption). */
    boolean isQueued() {
        return this == WAITING || this == PREEMPTED;
    }

    FinishReason finishReason() {
        return switch (this) {
            case FINISHED_STOPPED -> FinishReason.STOP;
            case FINISHED_LENGTH -> FinishReason.LENGTH;
            case FINISHED_DEADLINE -> FinishReason.DEADLINE;
            case FINISHED_CANCELLED -> FinishReason.CANCELLED;
            case FINISHED_ERROR -> FinishReason.ERROR;
            default -> throw new IllegalStateException("request is not finished: " + this);
        };
    }

    static RequestStatus finishedWith(FinishReason reason) {
        return switch (reason) {
            case STOP -> FINISHED_STOPPED;
            case LENGTH -> FINISHED_LENGTH;
            case DEADLINE -> FINISHED_DEADLINE;
            case CANCELLED -> FINISHED_CANCELLED;
            case ERROR -> FINISHED_ERROR;
        };
    }
}
