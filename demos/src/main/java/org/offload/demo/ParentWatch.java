package org.offload.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends this JVM when another process (the one that started it) ends, so that no child outlives a
 * supervisor that was killed without a chance to stop its children.
 */
final class ParentWatch {
    private static final Logger log = LoggerFactory.getLogger(ParentWatch.class);
    /** How often the parent is looked at. */
    static final Duration INTERVAL = Duration.ofMillis(500);

    private ParentWatch() {}

    /** Watches {@code pid} on a daemon thread and calls {@code System.exit(0)} once it is gone. */
    static void exitWhenGone(String name, long pid) {
        Optional<Instant> started = ProcessHandle.of(pid).flatMap(p -> p.info().startInstant());
        Thread watcher = new Thread(() -> {
            while (isAlive(pid, started)) {
                try {
                    Thread.sleep(INTERVAL);
                } catch (InterruptedException e) {
                    return;
                }
            }
            log.info("{} - parent process {} is gone; exiting", name, pid);
            System.exit(0);
        }, name + "-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** True while {@code pid} runs and is still the process that started at {@code started} (pids get reused). */
    static boolean isAlive(long pid, Optional<Instant> started) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> started.isEmpty() || p.info().startInstant().equals(started))
                .isPresent();
    }
}
