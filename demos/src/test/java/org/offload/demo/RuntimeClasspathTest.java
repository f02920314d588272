package org.offload.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The classpath {@code ./run demo} and {@code ./run service} start their JVMs with is the file this module's
 * build writes, {@code target/runtime-classpath.txt}: compile and runtime scope only, no test jar.
 */
class RuntimeClasspathTest {
    /** Jars of this module's test scope (and what they pull in); none may reach a worker. */
    private static final List<String> TEST_ONLY = List.of("junit-", "awaitility-", "hamcrest-", "opentest4j-",
            "apiguardian-", "junit-platform-");

    private static final Path FILE = Path.of("target", "runtime-classpath.txt");

    private static List<String> fileNames(String classpath) {
        return Arrays.stream(classpath.split(File.pathSeparator)).filter(e -> !e.isBlank())
                .map(e -> Path.of(e).getFileName().toString()).toList();
    }

    @Test
    void runtimeClasspath_writtenByTheBuild_holdsNoTestScopeJar() throws IOException {
        List<String> runtime = fileNames(Files.readString(FILE).strip());

        List<String> testJars = runtime.stream().filter(n -> TEST_ONLY.stream().anyMatch(n::startsWith)).toList();
        assertEquals(List.of(), testJars, "test-scope jars on the worker classpath: " + runtime);
        for (String needed : List.of("service-client-", "service-core-", "jeromq-", "jackson-databind-", "slf4j-simple-")) {
            assertTrue(runtime.stream().anyMatch(n -> n.startsWith(needed)), needed + " missing from " + runtime);
        }
    }

    @Test
    void runtimeClasspath_testClasspathHasTheTestJars_soTheCheckAboveCanFail() {
        Set<String> testClasspath = fileNames(System.getProperty("java.class.path")).stream().collect(Collectors.toSet());

        assertTrue(testClasspath.stream().anyMatch(n -> n.startsWith("junit-jupiter-api-")), testClasspath.toString());
        assertTrue(testClasspath.stream().anyMatch(n -> n.startsWith("awaitility-")), testClasspath.toString());
    }

    @Test
    void runScript_startsProgramsWithThatFile() throws IOException {
        String run = Files.readString(Path.of("..", "run"));

        assertTrue(run.contains("target/runtime-classpath.txt"), "./run no longer reads the file this test checks");
        assertFalse(run.contains("mdep.includeScope"), "a property the dependency plugin does not read");
    }
}
