package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offload.client.Fixtures.PASSPHRASE;
import static org.offload.client.Fixtures.json;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Request;
import org.offload.service.ServiceServer;

/** A registration checks both addresses (issue 9, defect 3): a bad PUB fails it with the cause. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RegisterAddressTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    private static String echo(ServiceClient client, String service) {
        return json(client.call(service, Request.json("/echo", "request", Map.of("v", "x")))).at("/echo/v").asText();
    }

    @Test
    void register_pubAddressWithoutAPort_failsNamingItAndRegistersNothing() {
        ServiceServer server = fx.echoServer("pub-typo");
        ServiceClient client = fx.client("web");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> client.register("pub-typo", server.pullAddress(), "tcp://127.0.0.1:notaport", PASSPHRASE));

        assertEquals("web - cannot connect to PUB tcp://127.0.0.1:notaport: not a port number (For input string:"
                + " \"notaport\")", e.getMessage());
        assertTrue(client.service("pub-typo").isEmpty(), "nothing registered");
        assertEquals(0, client.stats().pending());
    }

    @Test
    void register_afterABadPubAddress_succeedsWithTheRightOne() {
        ServiceServer server = fx.echoServer("retry");
        ServiceClient client = fx.client("web");
        assertThrows(IllegalArgumentException.class,
                () -> client.register("retry", server.pullAddress(), "nonsense://x", PASSPHRASE));

        client.register("retry", server.pullAddress(), server.pubAddress(), PASSPHRASE);

        assertEquals("x", echo(client, "retry"));
    }

    @Test
    void register_samePullWithAnotherPub_refusedNamingBoth() {
        ServiceServer server = fx.echoServer("moved");
        ServiceClient client = fx.client("web");
        client.register("moved", server.pullAddress(), server.pubAddress(), PASSPHRASE);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> client.register("moved", server.pullAddress(), "tcp://127.0.0.1:1", PASSPHRASE));

        assertEquals("web - moved instance " + server.pullAddress() + " is registered with PUB " + server.pubAddress()
                + ", not tcp://127.0.0.1:1; unregister the service first to change it", e.getMessage());
        assertEquals(List.of(server.pullAddress()), client.service("moved").orElseThrow().instances());
        assertEquals("x", echo(client, "moved"), "the first registration still works");
    }
}
