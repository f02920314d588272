package org.offload.client;

import java.util.concurrent.atomic.AtomicInteger;
import org.zeromq.ZMQ;

/** One service instance as the client sees it: its addresses and the PUSH socket (sender thread only). */
final class Instance {
    final String pullAddress;
    final String pubAddress;
    final ZMQ.Socket push;
    final AtomicInteger inFlight = new AtomicInteger();
    /**
     * Whether any call sent here was answered (receiver thread writes, sender thread reads): what tells an
     * instance that never really connected from one that is gone or full. Writability alone cannot: in
     * JeroMQ 0.6.0 a PUSH connected to an XPUB (PULL and PUB swapped) is writable for a moment.
     */
    volatile boolean answered;

    Instance(String pullAddress, String pubAddress, ZMQ.Socket push) {
        this.pullAddress = pullAddress;
        this.pubAddress = pubAddress;
        this.push = push;
    }

    /** Sender thread: true when the PUSH socket has a live connection with room under its HWM. */
    boolean writable() {
        return (push.getEvents() & ZMQ.Poller.POLLOUT) != 0;
    }

    /** Both addresses, for messages: {@code tcp://h:1 (PULL) / tcp://h:2 (PUB)}. */
    String addresses() {
        return pullAddress + " (PULL) / " + pubAddress + " (PUB)";
    }
}
