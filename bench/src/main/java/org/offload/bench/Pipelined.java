package org.offload.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Requests kept in flight up to a window: one driver thread sends whenever the window has room, each reply
 * (or failure) frees a slot. Figures: rate (successful replies a second), cpu (process CPU µs per reply),
 * errors, lost (requests whose outcome never came within the drain timeout).
 */
final class Pipelined implements Scenario {
    /** Where each request's outcome is reported, exactly once. */
    interface Outcome {
        void done(boolean ok);
    }

    /** A transport's async request. */
    interface Pipeline {
        /** Before a round: every later {@link #send()} reports its outcome to {@code outcome}. */
        default void open(Outcome outcome) {
        }

        /** Sends one request; its outcome reaches the {@link Outcome} given to {@link #open}. */
        void send() throws Exception;

        /** After a round, once every outcome has come. */
        default void close() throws Exception {
        }
    }

    private static final long DRAIN_TIMEOUT_MS = 15_000;
    /** Longest ramp before a round's count starts (a fifth of a shorter round). */
    private static final long RAMP_MS = 200;
    /** How often a round past its length looks whether enough requests have ended. */
    private static final long POLL_MS = 5;

    private final String id;
    private final int window;
    private final Pipeline pipeline;
    private final LongSupplier outsideCpu;

    Pipelined(String id, int window, Pipeline pipeline) {
        this(id, window, pipeline, CpuClock.NONE);
    }

    /** {@code outsideCpu}: CPU nanoseconds of the processes outside this JVM that serve it ({@link CpuClock}). */
    Pipelined(String id, int window, Pipeline pipeline, LongSupplier outsideCpu) {
        this.id = id;
        this.window = window;
        this.pipeline = pipeline;
        this.outsideCpu = outsideCpu;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Map<String, Double> round(Round round) throws Exception {
        Semaphore slots = new Semaphore(window);
        LongAdder ok = new LongAdder();
        LongAdder failed = new LongAdder();
        pipeline.open(success -> {
            (success ? ok : failed).increment();
            slots.release();
        });
        Driver driver = new Driver(slots, failed);
        Thread thread = Thread.ofPlatform().name(id + "-driver").start(driver);
        Map<String, Double> figures = measure(id, round, ok::sum, () -> ok.sum() + failed.sum(), outsideCpu);
        driver.running = false;
        thread.join(DRAIN_TIMEOUT_MS);
        thread.interrupt(); // only if every slot was lost: the driver then waits for one forever
        int lost = 0;
        if (!slots.tryAcquire(window, DRAIN_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            lost = window - slots.availablePermits();
        }
        pipeline.close();
        figures.put("errors", (double) failed.sum());
        figures.put("lost", (double) lost);
        return figures;
    }

    /**
     * The measured part of a round whose load is already running: after a short ramp, counts what
     * {@code done} counts until {@code round} is over, {@code ended} (done or failed) deciding when it has
     * enough requests. Figures: rate (a second), requests (done), cut ({@link Round#addTo}), cpu, others
     * ({@link CpuClock}).
     */
    static Map<String, Double> measure(String id, Round round, LongSupplier done, LongSupplier ended)
            throws InterruptedException {
        return measure(id, round, done, ended, CpuClock.NONE);
    }

    /** {@link #measure(String, Round, LongSupplier, LongSupplier)} counting {@code outsideCpu} too. */
    static Map<String, Double> measure(String id, Round round, LongSupplier done, LongSupplier ended,
                                       LongSupplier outsideCpu) throws InterruptedException {
        Thread.sleep(Math.max(1, Math.min(round.length().toMillis() / 5, RAMP_MS))); // ramp: fill the window first
        long c0 = done.getAsLong();
        long e0 = ended.getAsLong();
        long t0 = System.nanoTime();
        CpuClock cpu = new CpuClock(outsideCpu);
        Thread.sleep(round.length().toMillis());
        while (!round.over(System.nanoTime() - t0, ended.getAsLong() - e0)) {
            Thread.sleep(POLL_MS);
        }
        long n = done.getAsLong() - c0;
        long elapsed = System.nanoTime() - t0;
        Map<String, Double> figures = new HashMap<>();
        figures.put("rate", n / (elapsed / 1e9));
        round.addTo(figures, n, ended.getAsLong() - e0);
        cpu.addTo(figures, id, n);
        return figures;
    }

    /** A pipeline whose {@link Pipeline#send()} runs {@code start}, which reports to the round's outcome. */
    static Pipeline async(Consumer<Outcome> start) {
        return new Pipeline() {
            private Outcome outcome;

            @Override
            public void open(Outcome outcome) {
                this.outcome = outcome;
            }

            @Override
            public void send() {
                start.accept(outcome);
            }
        };
    }

    private final class Driver implements Runnable {
        private final Semaphore slots;
        private final LongAdder failed;
        volatile boolean running = true;

        Driver(Semaphore slots, LongAdder failed) {
            this.slots = slots;
            this.failed = failed;
        }

        @Override
        public void run() {
            try {
                while (running) {
                    slots.acquire();
                    if (!running) {
                        slots.release();
                        return;
                    }
                    try {
                        pipeline.send();
                    } catch (Exception e) {
                        failed.increment();
                        slots.release();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
