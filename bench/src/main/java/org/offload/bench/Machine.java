package org.offload.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/** Where and with what a run was measured. */
record Machine(Map<String, String> facts) {

    static Machine describe() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        f.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        f.put("cpu", cpuModel());
        f.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        f.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version() + " ("
                + System.getProperty("java.vendor") + ")");
        f.put("jvm options", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        f.put("gc", ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(", ")));
        f.put("max heap", (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
        f.put("jeromq", mavenVersion("org.zeromq", "jeromq"));
        f.put("grpc-java", io.grpc.internal.GrpcUtil.IMPLEMENTATION_VERSION);
        f.put("jackson", com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString());
        f.put("hdrhistogram", mavenVersion("org.hdrhistogram", "HdrHistogram"));
        f.put("load average at start", loadAverage());
        return new Machine(f);
    }

    String get(String key) {
        return facts.getOrDefault(key, "?");
    }

    /** One line for the table's heading. */
    String summary() {
        return get("cores") + " cores (" + get("cpu") + "), " + get("jdk") + ", JeroMQ " + get("jeromq") + ", gRPC-java "
                + get("grpc-java") + ", " + get("date");
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String mavenVersion(String group, String artifact) {
        String resource = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = Machine.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "?";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "?");
        } catch (IOException e) {
            return "?";
        }
    }
}
