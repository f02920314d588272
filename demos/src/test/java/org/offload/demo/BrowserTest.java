package org.offload.demo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The demo page in a real browser: starts the whole demo ({@link DemoMain}, its children as separate JVMs)
 * and clicks through it in headless Chromium, as the README's tour does — start a CPU task and watch it, cancel
 * it, render the image and count its tiles, freeze a worker and watch calls go to the other one, thaw it and
 * watch it rejoin, make sync and nowait calls. Screenshots go to {@code target/browser/}. Skipped (with one
 * line that {@code ./run test} prints) when Debian's chromium and chromedriver are not installed.
 */
@Timeout(300)
class BrowserTest {
    /** Generous: the machine may be busy, and the demo's JVMs start cold. */
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path SHOTS = Path.of("target", "browser");

    private static DemoProcess demo;
    private static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        if (!Browser.installed()) {
            return; // each test is then skipped by its assumption, with the reason in the report
        }
        Files.createDirectories(SHOTS);
        demo = DemoProcess.start();
        browser = Browser.start();
    }

    @BeforeEach
    void browserInstalled() {
        Browser.assumeInstalled();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) {
                browser.quit();
            browser = null;
            }
        } finally {
            if (demo != null) {
                demo.close();
            }
            Browser.cleanUp();
        }
    }

    @Test
    void demoPage_tourOfTheReadme_everyPartWorks() throws Exception {
        browser.get(demo.base().resolve("/demo").toString());
        await("three healthy workers").atMost(WAIT).until(() -> healthyWorkers().size() == 3);
        List<String> cpuPids = List.of(workerPid("cpu-1"), workerPid("cpu-2"));

        // 1. a CPU task: it runs (progress bar, elapsed time moving), then Cancel turns it REVOKED
        setValue("cpu-seconds", "60");
        click(By.id("start-cpu"));
        String first = await("a running task").atMost(WAIT).until(() -> taskIds("STARTED"), ids -> ids.size() == 1).get(0);
        assertProgressMoves(first);
        click(By.cssSelector("#tasks tr[data-id='" + first + "'] button.cancel"));
        await("the task REVOKED").atMost(WAIT).until(() -> taskIds("REVOKED").contains(first));

        // a second task stays running for the screenshot
        click(By.id("start-cpu"));
        await("a second running task").atMost(WAIT).until(() -> taskIds("STARTED").size() == 1);

        // 3. the image: every tile arrives, computed by both cpu workers
        setValue("m-iterations", "2000");
        click(By.id("render"));
        int tiles = MandelbrotRoute.tiles(768, 512).size();
        await("all " + tiles + " tiles").atMost(WAIT).until(() -> canvas("tiles"), String.valueOf(tiles)::equals);
        assertEquals("0", canvas("failed"));
        assertEquals(Set.copyOf(cpuPids), Set.of(canvas("pids").split(",")), "tiles by both workers");
        screenshot("demo-page");

        // 4. freeze cpu-1: it turns unhealthy, and the next image is computed by cpu-2 alone
        click(By.cssSelector("#workers tr[data-name='cpu-1'] button[data-action='freeze']"));
        await("cpu-1 unhealthy").atMost(WAIT).until(() -> !healthyWorkers().contains("cpu-1"));
        click(By.id("render"));
        await("all tiles without cpu-1").atMost(WAIT).until(() -> canvas("tiles"), String.valueOf(tiles)::equals);
        assertEquals(cpuPids.get(1), canvas("pids"), "every tile by cpu-2 while cpu-1 is frozen");
        screenshot("worker-frozen");
        click(By.cssSelector("#workers tr[data-name='cpu-1'] button[data-action='thaw']"));
        await("cpu-1 rejoined").atMost(WAIT).until(() -> healthyWorkers().size() == 3);

        // 2. calls: the sync reply shows when it returns; the nowait reply lands in the response handler
        setValue("call-message", "browser-sync");
        setValue("call-delay", "200");
        click(By.id("call-sync"));
        await("the sync reply").atMost(WAIT).until(() -> text(By.id("sync-result")),
                t -> t.startsWith("200 ") && t.contains("browser-sync"));
        setValue("call-message", "browser-nowait");
        click(By.id("call-nowait"));
        await("the nowait reply in the list").atMost(WAIT).until(() -> text(By.id("replies")),
                t -> t.contains("/service/async 200") && t.contains("browser-nowait"));
        screenshot("calls");
    }

    /** The bar moves when the task reports progress; until then it is indeterminate and the elapsed time moves. */
    private static void assertProgressMoves(String id) {
        String row = "#tasks tr[data-id='" + id + "'] ";
        double position = number("return document.querySelector(\"" + row + "progress\").position");
        if (position < 0) {
            double elapsed = seconds(text(By.cssSelector(row + ".elapsed")));
            await("elapsed time moves").atMost(WAIT).until(() -> seconds(text(By.cssSelector(row + ".elapsed"))) > elapsed);
        } else {
            await("progress moves").atMost(WAIT).until(
                    () -> number("return document.querySelector(\"" + row + "progress\").position") > position);
        }
        screenshot("task-running");
    }

    private static List<String> healthyWorkers() {
        return retry(() -> browser.findElements(By.cssSelector("#workers tr[data-healthy='true']")).stream()
                .map(tr -> tr.getDomAttribute("data-name")).toList());
    }

    private static String workerPid(String name) {
        return retry(() -> browser.findElement(By.cssSelector("#workers tr[data-name='" + name + "']")).getDomAttribute("data-pid"));
    }

    private static List<String> taskIds(String state) {
        return retry(() -> browser.findElements(By.cssSelector("#tasks tr[data-state='" + state + "']")).stream()
                .map(tr -> tr.getDomAttribute("data-id")).toList());
    }

    private static String canvas(String data) {
        Object value = ((JavascriptExecutor) browser).executeScript("return document.getElementById('canvas').dataset."
                + data + " || ''");
        return String.valueOf(value);
    }

    private static double number(String script) {
        return ((Number) ((JavascriptExecutor) browser).executeScript(script)).doubleValue();
    }

    private static double seconds(String text) {
        return Double.parseDouble(text.replace(" s", ""));
    }

    private static String text(By by) {
        return retry(() -> browser.findElement(by).getText());
    }

    /** Clicks what {@code by} finds; the page redraws changed rows twice a second, so a stale element is found again. */
    private static void click(By by) {
        await("click " + by).atMost(WAIT).ignoreException(StaleElementReferenceException.class)
                .until(() -> {
                    browser.findElement(by).click();
                    return true;
                });
    }

    private static void setValue(String id, String value) {
        WebElement input = browser.findElement(By.id(id));
        input.clear();
        input.sendKeys(value);
    }

    private static <T> T retry(java.util.concurrent.Callable<T> read) {
        return await().atMost(WAIT).ignoreException(StaleElementReferenceException.class).until(read, v -> true);
    }

    /** A screenshot of the whole page: the window is made as tall as the page first. */
    private static void screenshot(String name) {
        long height = ((Number) ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollHeight")).longValue();
        browser.manage().window().setSize(new Dimension(Browser.WIDTH, (int) Math.min(height + 140, 4000)));
        Path png = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        try {
            Files.copy(png, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
