package org.offload.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.offload.service.Request;

/**
 * Tests run in parallel (junit-platform.properties enables it for classes that ask) get their own kits and
 * ports: each repetition waits until all of them have a service running before it calls its own.
 */
@Execution(ExecutionMode.CONCURRENT)
@ExtendWith(OffloadExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ParallelKitTest {
    private static final int TESTS = 3;
    private static final CountDownLatch ALL_RUNNING = new CountDownLatch(TESTS);
    private static final Set<String> ADDRESSES = ConcurrentHashMap.newKeySet();

    @RepeatedTest(TESTS)
    void service_parallelTests_separatePortsAndServices(OffloadKit kit) throws InterruptedException {
        TestService svc = kit.service("parallel").route("^/echo$", "request", new KitHandlers.Echo()).start();
        ADDRESSES.add(svc.pullAddress());
        ADDRESSES.add(svc.pubAddress());
        ALL_RUNNING.countDown();

        assertTrue(ALL_RUNNING.await(30, TimeUnit.SECONDS), "the tests did not run at the same time");
        assertEquals(200, svc.call(Request.of("/echo", "request")).status());
        assertEquals(0, svc.server().stats().unauthorized(), "no call from another test's client");
    }

    @AfterAll
    static void eachTestItsOwnPorts() {
        assertEquals(2 * TESTS, ADDRESSES.size(), "addresses: " + ADDRESSES);
    }
}
