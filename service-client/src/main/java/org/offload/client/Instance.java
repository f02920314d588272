package org.offload.client;

import java.util.concurrent.atomic.AtomicInteger;
import org.zeromq.ZMQ;

/** One service instance as the client sees it: its addresses and the PUSH socket (sender thread only). */
final class Instance {
    final String pullAddress;
    final String pubAddress;
    final ZMQ.Socket push;
    final AtomicInteger inFlight = new AtomicInteger();
    /** Whether {@link #writable()} was ever true: tells "never connected" from "gone or full" (sender thread). */
    private boolean everWritable;
    /** Whether any call sent here was answered (receiver thread writes, sender thread reads). */
    volatile boolean answered;

    Instance(String pullAddress, String pubAddress, ZMQ.Socket push) {
        this.pullAddress = pullAddress;
        this.pubAddress = pubAddress;
        this.push = push;
    }

    /** Sender thread: true when the PUSH socket has a live connection with room under its HWM. */
    boolean writable() {
        boolean writable = (push.getEvents() & ZMQ.Poller.POLLOUT) != 0;
        everWritable |= writable;
        return writable;
    }

    /** Sender thread: true while no connection to this instance was ever seen. */
    boolean neverConnected() {
        return !everWritable && !writable();
    }

    /** Both addresses, for messages: {@code tcp://h:1 (PULL) / tcp://h:2 (PUB)}. */
    String addresses() {
        return pullAddress + " (PULL) / " + pubAddress + " (PUB)";
    }
}
