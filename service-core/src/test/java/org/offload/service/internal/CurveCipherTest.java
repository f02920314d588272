package org.offload.service.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which cipher JeroMQ's CURVE calls on service-core's classpath, and what is said when it is not the bridge. */
class CurveCipherTest {

    @Test
    void classpath_serviceCore_jnaclExcludedAndTheBridgeInItsPlace() throws Exception {
        // salsa20 is a class only the original jnacl has; service-core excludes it from JeroMQ's dependencies
        assertNull(ClassLoader.getSystemResource("com/neilalexander/jnacl/crypto/salsa20.class"));
        Class<?> box = Class.forName(CurveCipher.BOX_CLASS);
        String from = box.getProtectionDomain().getCodeSource().getLocation().toString();
        assertTrue(from.contains("jnacl-over-bouncycastle"), from);
        assertEquals(Optional.empty(), CurveCipher.problem(Optional.of(box), Optional.of(Class.forName(CurveCipher.BRIDGE_CLASS))));
    }

    @Test
    void problem_boxClassFromAnotherJar_saysWhereFromAndWhatToExclude() throws Exception {
        // a class from another jar stands in for jnacl's, found first on a classpath that has both
        Class<?> elsewhere = org.zeromq.ZMQ.class;
        String message = CurveCipher.problem(Optional.of(elsewhere), Optional.of(Class.forName(CurveCipher.BRIDGE_CLASS)))
                .orElseThrow();
        assertTrue(message.contains("jeromq-0.6.0.jar") && message.contains("not jnacl-over-bouncycastle"), message);
        assertTrue(message.contains("exclude eu.neilalexander:jnacl"), message);
    }

    @Test
    void problem_bridgeAbsent_saysSo() throws Exception {
        String message = CurveCipher.problem(Optional.of(Class.forName(CurveCipher.BOX_CLASS)), Optional.empty())
                .orElseThrow();
        assertTrue(message.contains("(not on the classpath)"), message);
    }
}
