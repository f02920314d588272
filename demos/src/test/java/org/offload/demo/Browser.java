package org.offload.demo;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium for the browser test, from Debian's packages ({@code chromium}, {@code chromium-driver}):
 * Selenium is pointed at {@link #DRIVER} and {@link #CHROMIUM}, so it downloads nothing (Selenium Manager is
 * never asked), and every run gets a fresh profile.
 */
final class Browser {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    /** The start of the line {@code ./run test} prints when the test was skipped. */
    static final String SKIPPED = "browser test skipped: ";

    /** Width of the window, in CSS pixels. */
    static final int WIDTH = 1500;

    private static Path profile;

    private Browser() {}

    static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
    }

    static void assumeInstalled() {
        assumeTrue(installed(), SKIPPED + "no " + CHROMIUM + " or "
                + DRIVER + " (as root: apt-get install -y chromium chromium-driver; .ci/run does it)");
    }

    static WebDriver start() throws IOException {
        profile = Files.createTempDirectory("offload-chromium-");
        System.setProperty("webdriver.chrome.driver", DRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=" + WIDTH + ",1150", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER.toString()))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /** Deletes the profile. */
    static void cleanUp() throws IOException {
        if (profile == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(profile)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        profile = null;
    }
}
