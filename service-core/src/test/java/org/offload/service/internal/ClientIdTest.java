package org.offload.service.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Client ids are fixed-length reply topics, so none is a subscription prefix of another. */
class ClientIdTest {
    @Test
    void random_manyIds_areDistinctAndFixedLength() {
        Set<ClientId> ids = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            ClientId id = ClientId.random();
            assertEquals(Wire.CLIENT_ID_BYTES, id.topic().length);
            assertEquals(2 * Wire.CLIENT_ID_BYTES, id.toString().length(), "hex form");
            ids.add(id);
        }
        assertEquals(1_000, ids.size());
    }

    @Test
    void read_copyOfBytes_equalsOriginalAndIsDetached() {
        ClientId id = ClientId.random();
        byte[] buffer = new byte[Wire.CLIENT_ID_BYTES + 3];
        System.arraycopy(id.topic(), 0, buffer, 3, Wire.CLIENT_ID_BYTES);

        ClientId read = ClientId.read(buffer, 3);
        buffer[3] ^= 1;

        assertEquals(id, read);
        assertEquals(id.hashCode(), read.hashCode());
        assertTrue(read.matches(id.topic()));
        assertNotEquals(id, ClientId.read(buffer, 3));
    }

    @Test
    void matches_prefixOrLongerTopic_isFalse() {
        ClientId id = ClientId.random();
        byte[] topic = id.toByteArray();
        byte[] longer = new byte[topic.length + 1];
        System.arraycopy(topic, 0, longer, 0, topic.length);

        assertFalse(id.matches(java.util.Arrays.copyOf(topic, topic.length - 1)));
        assertFalse(id.matches(longer));
        assertTrue(id.matches(topic));
    }

    @Test
    void toByteArray_mutatingTheCopy_leavesTheIdUnchanged() {
        ClientId id = ClientId.random();
        byte[] copy = id.toByteArray();
        copy[0] ^= 1;

        assertArrayEquals(id.toByteArray(), id.topic());
        assertFalse(id.matches(copy));
    }
}
