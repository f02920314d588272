package org.offload.testing;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.offload.service.Call;
import org.offload.service.Handler;
import org.offload.service.Reply;

/** Handlers of the kit's tests. */
public final class KitHandlers {
    private KitHandlers() {}

    /** Answers {"echo": <request body>}; named by {@code kit-echo.service}. */
    public static final class Echo implements Handler {
        @Override
        public Reply handle(Call call) {
            return Reply.json(Map.of("echo", call.json()));
        }
    }

    /** Counts the calls that reached it, then answers {"ran": n}: tells whether a fault ran the handler. */
    static final class Counting implements Handler {
        private final AtomicInteger ran = new AtomicInteger();

        @Override
        public Reply handle(Call call) {
            return Reply.json(Map.of("ran", ran.incrementAndGet()));
        }

        int ran() {
            return ran.get();
        }
    }
}
