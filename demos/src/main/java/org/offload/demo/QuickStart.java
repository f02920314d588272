package org.offload.demo;

import java.util.Map;
import org.offload.client.ServiceClient;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;

/** The README's quick start, kept compiling by the build: a service and a client in one program. */
public class QuickStart {
    public static void main(String[] args) {
        String passphrase = System.getenv().getOrDefault("OFFLOAD_PASSPHRASE", "change-me-to-something-long");
        try (ServiceServer server = ServiceServer.builder()
                     .name("slow-echo")
                     .bind("tcp://127.0.0.1:5555", "tcp://127.0.0.1:5556")   // PULL (requests), PUB (replies)
                     .passphrase(passphrase)
                     .route("^/service/slow$", "request", call -> Reply.json(Map.of("echo", call.json())))
                     .build().start();
             ServiceClient client = ServiceClient.create()) {
            client.register("slow-echo", "tcp://127.0.0.1:5555", "tcp://127.0.0.1:5556", passphrase);
            Reply reply = client.call("slow-echo", Request.json("/service/slow", "request", Map.of("n", 42)));
            System.out.println(reply.status() + " " + reply.body().text());   // 200 {"echo":{"n":42}}
        }
    }
}
