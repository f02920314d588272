package org.offload.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.offload.client.ServiceClient;
import org.offload.service.Request;
import org.offload.service.ServiceUnavailableException;

/**
 * The extension closes everything a test made, whether the test passed or failed: sample test classes run
 * on the JUnit Platform launcher, and what they started is checked after them. The samples are nested
 * classes, which Surefire does not run by itself; they also skip unless launched from here.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExtensionTest {
    /** What the samples started: read once they ended. */
    static final List<TestService> STARTED = new CopyOnWriteArrayList<>();
    static final List<ServiceClient> CLIENTS = new CopyOnWriteArrayList<>();
    static volatile boolean launched;

    @AfterEach
    void reset() {
        launched = false;
        STARTED.clear();
        CLIENTS.clear();
    }

    private static TestExecutionSummary launch(Class<?> sample) {
        launched = true;
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(sample)).build(), summary);
        return summary.getSummary();
    }

    private static void assertAllClosed(int services) throws InterruptedException {
        assertEquals(services, STARTED.size(), "services the sample started");
        for (TestService svc : STARTED) {
            assertTrue(svc.server().awaitTermination(Duration.ofSeconds(15)), svc + " terminated");
            assertFalse(svc.server().isRunning());
            ServiceUnavailableException e = assertThrows(ServiceUnavailableException.class,
                    () -> svc.client().call(svc.name(), Request.of("/echo", "request")));
            assertTrue(e.getMessage().contains("client is closed"), e.getMessage());
        }
        for (ServiceClient client : CLIENTS) {
            assertThrows(ServiceUnavailableException.class, () -> client.awaitReady("any", Duration.ofSeconds(1)));
        }
    }

    @Test
    void registerExtension_afterEachTest_everyServiceAndClientClosed() throws Exception {
        TestExecutionSummary summary = launch(FieldSample.class);

        assertEquals(2, summary.getTestsSucceededCount(), () -> String.valueOf(summary.getFailures()));
        assertEquals(1, summary.getTestsFailedCount(), "the sample's failing test");
        assertAllClosed(4);
    }

    @Test
    void extendWith_parameter_eachTestItsOwnKitClosedAfterIt() throws Exception {
        TestExecutionSummary summary = launch(ParameterSample.class);

        assertEquals(2, summary.getTestsSucceededCount(), () -> String.valueOf(summary.getFailures()));
        assertEquals(2, STARTED.size());
        assertTrue(STARTED.get(0).client() != STARTED.get(1).client(), "each test its own kit and client");
        assertAllClosed(2);
    }

    static TestService echo(OffloadKit kit, String name) {
        TestService svc = kit.service(name).route("^/echo$", "request", new KitHandlers.Echo()).start();
        STARTED.add(svc);
        return svc;
    }

    /** A test class as a user writes it, with the kit as a field. */
    static class FieldSample {
        @RegisterExtension
        final OffloadKit kit = new OffloadKit();

        @Test
        void one() {
            assumeTrue(launched);
            echo(kit, "one-a").call(Request.of("/echo", "request"));
            echo(kit, "one-b");
            CLIENTS.add(kit.newClient("extra"));
        }

        @Test
        void two() {
            assumeTrue(launched);
            echo(kit, "two").call(Request.of("/echo", "request"));
        }

        @Test
        void failing() {
            assumeTrue(launched);
            echo(kit, "failing");
            throw new AssertionError("this sample test fails on purpose");
        }
    }

    /** A test class with the kit as a parameter. */
    @ExtendWith(OffloadExtension.class)
    static class ParameterSample {
        @Test
        void one(OffloadKit kit) {
            assumeTrue(launched);
            echo(kit, "p-one").call(Request.of("/echo", "request"));
        }

        @Test
        void two(OffloadKit kit) {
            assumeTrue(launched);
            echo(kit, "p-two").call(Request.of("/echo", "request"));
        }
    }
}
