package org.offload.service.internal;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Finds a python3 with pyzmq (libzmq with CURVE) for the tests that run a libzmq peer. */
final class Pyzmq {
    /** Why those tests were skipped; {@code ./run test} prints it (its report_skips). */
    static final String SKIPPED = "libzmq interop test skipped: no python3 with pyzmq (libzmq with CURVE)"
            + " here (as root: apt-get install -y python3-zmq; .ci/run does it)";

    private Pyzmq() {}

    /** The first of {@code python3} on the PATH and {@code /usr/bin/python3} that imports zmq with CURVE, or null. */
    static String python() throws InterruptedException {
        for (String candidate : List.of("python3", "/usr/bin/python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import zmq; assert zmq.has('curve')")
                        .redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException e) {
                // not installed under this name: try the next
            }
        }
        return null;
    }
}
