package org.offload.service.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

/**
 * The waiting half of an I/O thread: a selector over the ZeroMQ sockets' signalling channels plus a command
 * queue. Other threads hand work to the I/O thread with {@link #execute}, which wakes it with
 * {@link Selector#wakeup()}: unlike writing to a pipe, that is safe from interrupted threads (an interrupt
 * during a channel write would close the channel for good). Not public API.
 */
public final class EventLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);

    private final String name;
    private final Selector selector;
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();

    public EventLoop(String name) {
        this.name = name;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(name + " - cannot open a selector", e);
        }
    }

    /** Watches {@code socket}: {@link #await} returns when ZeroMQ signals it. Call on the I/O thread. */
    public void watch(ZMQ.Socket socket) {
        try {
            socket.getFD().register(selector, SelectionKey.OP_READ);
        } catch (IOException e) {
            throw new UncheckedIOException(name + " - cannot watch a socket", e);
        }
    }

    /** Runs {@code command} on the I/O thread, soon. Safe from any thread, interrupted or not. */
    public void execute(Runnable command) {
        commands.add(command);
        if (wakePending.compareAndSet(false, true)) {
            try {
                selector.wakeup();
            } catch (ClosedSelectorException e) {
                // closed: the loop is gone; the command is never run and its owner fails it on close
            }
        }
    }

    /** Runs the queued commands; returns how many ran. Call on the I/O thread. */
    public int runCommands() {
        int n = 0;
        Runnable r;
        while ((r = commands.poll()) != null) {
            n++;
            try {
                r.run();
            } catch (RuntimeException | Error e) {
                log.error("{} - a command failed on the I/O thread", name, e);
            }
        }
        return n;
    }

    /**
     * Sleeps until a watched socket signals, a command arrives, or {@code timeoutMs} passes (0 = do not
     * sleep). Callers must first drain their sockets and check {@code getEvents()}: ZeroMQ's signal is edge
     * triggered.
     */
    public void await(long timeoutMs) {
        wakePending.set(false);
        if (!commands.isEmpty() || timeoutMs <= 0) {
            return;
        }
        try {
            selector.select(timeoutMs);
            selector.selectedKeys().clear();
        } catch (IOException e) {
            log.error("{} - selector failed; polling instead", name, e);
        }
    }

    /** Drops any queued commands (after the I/O thread ended). */
    public Runnable pollCommand() {
        return commands.poll();
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException e) {
            log.warn("{} - closing the selector failed", name, e);
        }
    }
}
