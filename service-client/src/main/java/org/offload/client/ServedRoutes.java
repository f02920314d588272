package org.offload.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.offload.service.RouteVersion;

/**
 * What one run of an instance (its instance id) said it serves, from its {@code /_offload/routes} answer
 * (PROTOCOL.md section 18): each path regex with the versions of each METHOD. Immutable.
 *
 * @param instanceId the instance id the answer is for; a restarted instance is read again
 * @param state      {@code READING} until the answer came, then {@code KNOWN}, or {@code FAILED} (no answer,
 *                   an error, or a body that is not a routes list: the instance may serve any version)
 * @param routes     path regex → METHOD → versions; empty unless {@code KNOWN}
 * @param atNanos    when the read started or ended
 */
record ServedRoutes(String instanceId, State state, List<Served> routes, long atNanos) {
    enum State { READING, KNOWN, FAILED }

    /** One path regex of the instance and the versions of its METHODs. */
    record Served(Pattern pattern, Map<String, List<RouteVersion>> versions) {
    }

    ServedRoutes {
        routes = List.copyOf(routes);
    }

    static ServedRoutes reading(String instanceId, long now) {
        return new ServedRoutes(instanceId, State.READING, List.of(), now);
    }

    static ServedRoutes failed(String instanceId, long now) {
        return new ServedRoutes(instanceId, State.FAILED, List.of(), now);
    }

    /** Reads a routes answer; a member that is not understood (bad regex, bad version) is skipped. */
    static ServedRoutes parse(String instanceId, JsonNode body, long now) {
        JsonNode list = body.get("routes");
        if (list == null || !list.isArray()) {
            return failed(instanceId, now);
        }
        List<Served> out = new ArrayList<>();
        for (JsonNode r : list) {
            JsonNode path = r.get("path");
            JsonNode versions = r.get("versions");
            if (path == null || !path.isTextual() || versions == null || !versions.isObject()) {
                continue;
            }
            Pattern pattern;
            try {
                pattern = Pattern.compile(path.asText());
            } catch (PatternSyntaxException e) {
                continue;
            }
            Map<String, List<RouteVersion>> byMethod = new java.util.HashMap<>();
            versions.fields().forEachRemaining(m -> {
                List<RouteVersion> vs = new ArrayList<>();
                for (JsonNode v : m.getValue()) {
                    try {
                        vs.add(RouteVersion.parse(v.asText()));
                    } catch (IllegalArgumentException bad) {
                        // skipped: not a version this client understands
                    }
                }
                byMethod.put(m.getKey(), List.copyOf(vs));
            });
            out.add(new Served(pattern, Map.copyOf(byMethod)));
        }
        return new ServedRoutes(instanceId, State.KNOWN, out, now);
    }

    /** KNOWN and some route of {@code path} and {@code method} has a version that serves {@code asked}. */
    boolean serves(String path, String method, RouteVersion asked) {
        for (Served s : routes) {
            List<RouteVersion> vs = s.versions().get(method);
            if (vs != null && s.pattern().matcher(path).lookingAt()) {
                for (RouteVersion v : vs) {
                    if (v.serves(asked)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
