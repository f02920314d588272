package org.offload.demo;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.offload.service.Call;
import org.offload.service.Handler;
import org.offload.service.Reply;

/**
 * {@code /v2/primes}: a CPU task long enough to watch. Body {@code {"seconds": 10}} (1..{@value #MAX_SECONDS},
 * default {@value #DEFAULT_SECONDS}): keeps one core busy counting primes by trial division for that long,
 * then answers how many it found and the largest. Checks for cancellation every {@value #CHECK_EVERY}
 * numbers (well under a millisecond), so a cancelled task stops at once.
 */
public final class PrimeCount implements Handler {
    static final int DEFAULT_SECONDS = 10;
    static final int MAX_SECONDS = 120;
    /** Numbers tested between two looks at the call's cancellation flag and the clock. */
    static final int CHECK_EVERY = 256;

    /** Loaded by name from a service definition file. */
    public PrimeCount() {}

    /** The {@code seconds} parameter: 400 unless an integer in 1..{@value #MAX_SECONDS}. */
    static Duration seconds(Optional<String> raw) {
        return Duration.ofSeconds(Params.integer("seconds", raw, DEFAULT_SECONDS, 1, MAX_SECONDS));
    }

    @Override
    public Reply handle(Call call) {
        Duration seconds = seconds(Params.field(call.json(), "seconds"));
        long start = System.nanoTime();
        long end = start + seconds.toNanos();
        long found = 0;
        long largest = 0;
        long n = 2;
        long now;
        while ((now = System.nanoTime()) - end < 0) {
            CallWaits.throwIfCancelled(call);
            // coalesced by the service (one 110 reply per progressInterval at most): cheap to call often
            call.progress((double) (now - start) / seconds.toNanos(), found + " primes so far");
            for (int i = 0; i < CHECK_EVERY; i++, n++) {
                if (isPrime(n)) {
                    found++;
                    largest = n;
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seconds", seconds.toSeconds());
        out.put("primes", found);
        out.put("largest", largest);
        out.put("pid", ProcessHandle.current().pid());
        return Reply.json(out);
    }

    static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        if (n % 2 == 0) {
            return n == 2;
        }
        for (long d = 3; d * d <= n; d += 2) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }
}
