package org.offload.example.javalin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.offload.service.ServiceException;

/** The outcomes of nowait jobs by id, at most {@code max} (the oldest forgotten first). Thread-safe. */
final class Jobs {
    private final Map<String, Map<String, Object>> byId;

    Jobs(int max) {
        this.byId = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Map<String, Object>> eldest) {
                return size() > max;
            }
        };
    }

    synchronized void pending(String id) {
        byId.put(id, Map.of("state", "pending"));
    }

    synchronized void done(String id, JsonNode result) {
        byId.replace(id, Map.of("state", "done", "result", result));
    }

    synchronized void failed(String id, ServiceException error) {
        byId.replace(id, Map.of("state", "failed", "error", error.getMessage(), "service_status", error.status()));
    }

    synchronized Optional<Map<String, Object>> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }
}
