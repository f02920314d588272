package org.offload.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.offload.service.BadRequestException;
import org.offload.service.Body;

/** The validation the front end and the workers share: values, defaults and the 400 messages. */
class ParamsTest {

    private static IoStatParams ioStat(Map<String, String> query) {
        return IoStatParams.parse(name -> Optional.ofNullable(query.get(name)));
    }

    private static String ioStatError(Map<String, String> query) {
        return assertThrows(BadRequestException.class, () -> ioStat(query)).getMessage();
    }

    @Test
    void ioStatParse_nothingGiven_oneReportSinceBoot() {
        IoStatParams params = ioStat(Map.of());

        assertEquals(new IoStatParams(IoStatParams.DEFAULT_COUNT, IoStatParams.DEFAULT_WAIT_SECONDS), params);
        assertEquals(Duration.ZERO, params.duration());
    }

    @Test
    void ioStatParse_countAndWait_takeCountMinusOneWaits() {
        IoStatParams params = ioStat(Map.of("count", "4", "wait", "2"));

        assertEquals(new IoStatParams(4, 2), params);
        assertEquals(Duration.ofSeconds(6), params.duration());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1.5   | count must be an integer >= 1 but was '1.5'",
            "-10   | count must be an integer >= 1 but was '-10'",
            "0     | count must be an integer >= 1 but was '0'",
            "three | count must be an integer >= 1 but was 'three'",
            "1000  | count must be at most 10 but was '1000'",
            "99999999999999999999 | count must be an integer >= 1 but was '99999999999999999999'"})
    void ioStatParse_badCount_badRequestSaysWhy(String count, String message) {
        assertEquals(message, ioStatError(Map.of("count", count)));
    }

    @Test
    void ioStatParse_emptyCount_badRequestShowsTheEmptyValue() {
        assertEquals("count must be an integer >= 1 but was ''", ioStatError(Map.of("count", "")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0    | wait must be an integer >= 1 but was '0'",
            "1.5  | wait must be an integer >= 1 but was '1.5'",
            "6    | wait must be at most 5 but was '6'",
            "1000 | wait must be at most 5 but was '1000'"})
    void ioStatParse_badWait_badRequestSaysWhy(String wait, String message) {
        assertEquals(message, ioStatError(Map.of("count", "2", "wait", wait)));
    }

    @Test
    void ioStatParse_waitWithCountOne_badRequest() {
        assertEquals("wait makes sense only with count > 1, but count was 1 and wait was '10'",
                ioStatError(Map.of("count", "1", "wait", "10")));
        assertEquals("wait makes sense only with count > 1, but count was 1 and wait was '2'",
                ioStatError(Map.of("wait", "2")));
    }

    @Test
    void ioStatJson_roundTrip_sameParams() {
        for (IoStatParams params : new IoStatParams[] {new IoStatParams(1, 1), new IoStatParams(3, 5)}) {
            assertEquals(params, IoStatParams.fromJson(Body.json(params.toJson()).json()));
        }
    }

    @Test
    void ioStatJson_waitOnlyWithSeveralReports() {
        assertEquals(Map.of("count", 1), new IoStatParams(1, 1).toJson());
        assertEquals(Map.of("count", 3, "wait", 2), new IoStatParams(3, 2).toJson());
    }

    @Test
    void ioStatParams_outOfBounds_refused() {
        assertThrows(BadRequestException.class, () -> new IoStatParams(IoStatParams.MAX_COUNT + 1, 1));
        assertThrows(BadRequestException.class, () -> new IoStatParams(2, IoStatParams.MAX_WAIT_SECONDS + 1));
    }

    @Test
    void mandelbrotParse_nothingGiven_defaults() {
        assertEquals(new MandelbrotParams(MandelbrotParams.DEFAULT_WIDTH, MandelbrotParams.DEFAULT_HEIGHT,
                MandelbrotParams.DEFAULT_ITERATIONS), MandelbrotParams.parse(name -> Optional.empty()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "width      | 5000 | width must be at most 2048 but was '5000'",
            "width      | 15   | width must be an integer >= 16 but was '15'",
            "height     | 8    | height must be an integer >= 16 but was '8'",
            "height     | 2049 | height must be at most 2048 but was '2049'",
            "iterations | 0    | iterations must be an integer >= 1 but was '0'",
            "iterations | 5001 | iterations must be at most 5000 but was '5001'",
            "iterations | many | iterations must be an integer >= 1 but was 'many'"})
    void mandelbrotParse_outOfBounds_badRequestSaysWhy(String name, String value, String message) {
        BadRequestException e = assertThrows(BadRequestException.class,
                () -> MandelbrotParams.parse(n -> n.equals(name) ? Optional.of(value) : Optional.empty()));
        assertEquals(message, e.getMessage());
    }

    @Test
    void mandelbrotParse_limits_accepted() {
        assertEquals(new MandelbrotParams(16, 2048, 5000), MandelbrotParams.parse(name -> Optional.of(
                Map.of("width", "16", "height", "2048", "iterations", "5000").get(name))));
    }

    @Test
    void slowEchoDelay_absent_default() {
        assertEquals(SlowEcho.DEFAULT_DELAY, SlowEcho.delay(null));
        assertEquals(Duration.ZERO, SlowEcho.delay("0"));
        assertEquals(SlowEcho.MAX_DELAY, SlowEcho.delay(String.valueOf(SlowEcho.MAX_DELAY.toMillis())));
    }

    @Test
    void slowEchoDelay_beyondMax_badRequest() {
        assertEquals("delay_ms must be at most 30000 but was '30001'",
                assertThrows(BadRequestException.class, () -> SlowEcho.delay("30001")).getMessage());
        assertEquals("delay_ms must be an integer >= 0 but was '-1'",
                assertThrows(BadRequestException.class, () -> SlowEcho.delay("-1")).getMessage());
    }

    @Test
    void slowEchoMessage_tooLong_badRequest() {
        assertThrows(BadRequestException.class, () -> SlowEcho.message("x".repeat(SlowEcho.MAX_MESSAGE_CHARS + 1)));
        assertEquals("x".repeat(SlowEcho.MAX_MESSAGE_CHARS), SlowEcho.message("x".repeat(SlowEcho.MAX_MESSAGE_CHARS)));
    }
}
