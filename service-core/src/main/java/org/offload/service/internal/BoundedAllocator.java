package org.offload.service.internal;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zmq.Msg;
import zmq.msg.MsgAllocator;
import zmq.msg.MsgAllocatorThreshold;

/**
 * Guards JeroMQ 0.6.0's frame decoder against hostile lengths. Its max-size check compares the 64-bit
 * length as signed, so a negative length passes it and reaches {@code allocate((int) size)}: a
 * NegativeArraySizeException that wedges the socket and hangs context shutdown, or (for lengths whose low
 * 32 bits are large) a huge allocation. Every legitimate length is already {@code <= maxBytes} here, so any
 * other size came from such a frame: it is allocated as an empty frame instead, and the message it ends up in
 * meets the receiver's checks. A hostile length whose low 32 bits are within {@code 0..maxBytes}
 * (0xFFFFFFFF000000NN) cannot be told apart here: JeroMQ reads it as an ordinary frame of that size, which is
 * harmless (PROTOCOL.md section 1). Not public API.
 */
public final class BoundedAllocator implements MsgAllocator {
    private static final Logger log = LoggerFactory.getLogger(BoundedAllocator.class);
    private static final AtomicLong REJECTED = new AtomicLong();

    private final MsgAllocator delegate = new MsgAllocatorThreshold();
    private final int maxBytes;
    private final WarnLimiter warn = new WarnLimiter();

    public BoundedAllocator(int maxBytes) {
        this.maxBytes = Checks.positive("maxBytes", maxBytes);
    }

    @Override
    public Msg allocate(int size) {
        if (size < 0 || size > maxBytes) {
            REJECTED.incrementAndGet();
            if (warn.tryAcquire()) {
                log.warn("a peer sent a frame whose length field is invalid ({}); treated as an empty frame "
                        + "(total such frames: {})", size, REJECTED.get());
            }
            return new Msg(0);
        }
        return delegate.allocate(size);
    }

    /** Frames with invalid lengths seen by every allocator in this JVM. */
    public static long rejected() {
        return REJECTED.get();
    }
}
