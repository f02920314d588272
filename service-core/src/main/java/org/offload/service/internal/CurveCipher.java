package org.offload.service.internal;

import java.security.CodeSource;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says, once per JVM and at WARN, when JeroMQ's CURVE will not box through jnacl-over-bouncycastle: when
 * something else also brings JeroMQ's own jnacl and it comes first on the classpath (both share class names,
 * so the first wins). CURVE still works then, with the same bytes on the wire, at 2-6 times the CPU. Not
 * public API.
 */
public final class CurveCipher {
    static final String BOX_CLASS = "com.neilalexander.jnacl.crypto.curve25519xsalsa20poly1305";
    /** A class only jnacl-over-bouncycastle has. */
    static final String BRIDGE_CLASS = "com.neilalexander.jnacl.crypto.SecretBox";
    private static final Logger log = LoggerFactory.getLogger(CurveCipher.class);
    private static final AtomicBoolean CHECKED = new AtomicBoolean();

    private CurveCipher() {}

    /** Checks, the first time a CURVE socket is set up in this JVM, which cipher JeroMQ will call. */
    static void warnOnceIfSlow() {
        if (CHECKED.compareAndSet(false, true)) {
            ClassLoader loader = org.zeromq.ZMQ.class.getClassLoader();
            problem(load(BOX_CLASS, loader), load(BRIDGE_CLASS, loader)).ifPresent(log::warn);
        }
    }

    /**
     * What is wrong when JeroMQ's {@code box} class is not the one beside {@code bridge} (absent when the bridge
     * is not on the classpath at all), or empty when CURVE boxes through the bridge.
     */
    static Optional<String> problem(Optional<Class<?>> box, Optional<Class<?>> bridge) {
        if (box.isPresent() && bridge.isPresent() && location(box.get()).equals(location(bridge.get()))) {
            return Optional.empty();
        }
        return Optional.of("offload - JeroMQ's CURVE boxes with " + box.map(CurveCipher::location).orElse("nothing")
                + ", not jnacl-over-bouncycastle"
                + bridge.map(b -> " (" + location(b) + ")").orElse(" (not on the classpath)")
                + ": CURVE works, with the same bytes on the wire, at 2-6 times the CPU; exclude"
                + " eu.neilalexander:jnacl from whatever brings org.zeromq:jeromq");
    }

    private static Optional<Class<?>> load(String name, ClassLoader loader) {
        try {
            return Optional.of(Class.forName(name, false, loader));
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.empty();
        }
    }

    private static String location(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        return source == null || source.getLocation() == null ? "the platform" : source.getLocation().toString();
    }
}
