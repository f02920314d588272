package org.offload.example.javalin;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import org.offload.service.ServiceDefinition;
import org.offload.service.ServiceServer;

/**
 * {@code ./run javalin [--port N] [--worker PULL PUB]}: the example web app on 127.0.0.1 (port 7070 unless
 * told). With {@code --worker} it calls a worker already running there (started with {@code ./run service
 * javalin-example/src/main/resources/hash.service ...}, the same OFFLOAD_PASSPHRASE); without, it starts that worker
 * in this JVM on free ports. Stops on Ctrl-C.
 */
public final class JavalinExample {
    /** Where the app listens unless {@code --port}. */
    public static final int DEFAULT_PORT = 7070;
    private static final String ANY_PORT = "tcp://127.0.0.1:*";

    private JavalinExample() {}

    public static void main(String[] args) throws InterruptedException {
        int port = DEFAULT_PORT;
        String pull = null;
        String pub = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(value(args, ++i, "--port"));
                case "--worker" -> {
                    pull = value(args, ++i, "--worker");
                    pub = value(args, ++i, "--worker");
                }
                default -> throw new IllegalArgumentException("usage: JavalinExample [--port N] [--worker PULL PUB]"
                        + " (unknown argument '" + args[i] + "')");
            }
        }
        String passphrase = System.getenv("OFFLOAD_PASSPHRASE");
        ServiceServer worker = null;
        if (pull == null) {
            if (passphrase == null) {
                byte[] secret = new byte[24];
                new SecureRandom().nextBytes(secret);
                passphrase = HexFormat.of().formatHex(secret); // this run only, never printed
            }
            worker = ServiceDefinition.resource("hash.service").toBuilder(passphrase, h -> h)
                    .bind(ANY_PORT, ANY_PORT).build().start();
            pull = worker.pullAddress();
            pub = worker.pubAddress();
        } else if (passphrase == null) {
            throw new IllegalArgumentException("set OFFLOAD_PASSPHRASE to the worker's passphrase");
        }
        HashApp web = HashApp.start(new HashApp.Settings("127.0.0.1", port, pull, pub), passphrase);
        System.out.println("javalin-example: http://127.0.0.1:" + web.port() + "/hash?text=hello&rounds=1000"
                + " (worker " + pull + " / " + pub + ")");
        CountDownLatch stopped = new CountDownLatch(1);
        ServiceServer started = worker;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            web.close();
            if (started != null) {
                started.close();
            }
            stopped.countDown();
        }, "javalin-example-stop"));
        stopped.await();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
