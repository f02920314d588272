package org.offload.client;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.offload.service.ServiceEndpoint;

/**
 * Where the instances of a service are, asked again every {@code discoveryInterval}
 * ({@link ServiceClient#register(String, Discovery, String)}): instances that appear are registered, those
 * that disappear leave the rotation and close once their calls in flight have ended. Implement it to plug in
 * Consul, Kubernetes endpoints or anything else; throw to keep the last answer (a failed lookup never empties
 * a service).
 */
@FunctionalInterface
public interface Discovery {
    /** The instances now; an empty list retires every instance. */
    List<InstanceAddress> instances() throws Exception;

    /** Resolves a host name to its addresses, e.g. {@link InetAddress#getAllByName}. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws IOException;
    }

    /** A fixed list (tests, or a configuration read once). */
    static Discovery of(List<InstanceAddress> instances) {
        List<InstanceAddress> copy = List.copyOf(instances);
        return () -> copy;
    }

    /**
     * Every address a DNS name resolves to, each an instance with the same two ports: the Kubernetes headless
     * service pattern. Java caches lookups ({@code networkaddress.cache.ttl}, 30 s by default): set it lower
     * for a faster change.
     */
    static Discovery dns(String host, int pullPort, int pubPort) {
        return dns(host, pullPort, pubPort, InetAddress::getAllByName);
    }

    /** {@link #dns(String, int, int)} with {@code resolver} instead of the JVM's. */
    static Discovery dns(String host, int pullPort, int pubPort, Resolver resolver) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(resolver, "resolver");
        checkPort("pullPort", pullPort);
        checkPort("pubPort", pubPort);
        if (pullPort == pubPort) {
            throw new IllegalArgumentException("pullPort and pubPort must differ but both were " + pullPort);
        }
        return () -> Arrays.stream(resolver.resolve(host)).distinct().map(a -> {
            String ip = a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
            return new InstanceAddress("tcp://" + ip + ":" + pullPort, "tcp://" + ip + ":" + pubPort);
        }).toList();
    }

    /**
     * A small text file, read again at every lookup: one instance per line, {@code PULL PUB}; blank lines
     * and lines starting with {@code #} are ignored.
     */
    static Discovery file(Path file) {
        Objects.requireNonNull(file, "file");
        return () -> {
            List<InstanceAddress> out = new ArrayList<>();
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int n = 0; n < lines.size(); n++) {
                String line = lines.get(n).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\\s+");
                if (parts.length != 2) {
                    throw new IllegalArgumentException(file + ":" + (n + 1) + ": expected PULL PUB but found "
                            + parts.length + " words");
                }
                out.add(new InstanceAddress(parts[0], parts[1]));
            }
            return out;
        };
    }

    /** The workers' own definition files (their SERVICE lines), read again at every lookup. */
    static Discovery definitions(List<Path> files) {
        List<Path> copy = List.copyOf(files);
        return () -> copy.stream().map(ServiceEndpoint::load)
                .map(e -> new InstanceAddress(e.pullAddress(), e.pubAddress())).toList();
    }

    private static void checkPort(String what, int port) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException(what + " must be in 1..65535 but was " + port);
        }
    }
}
