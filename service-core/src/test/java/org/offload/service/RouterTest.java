package org.offload.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Path regex (matched at the start, lookingAt) + METHOD routing; 404 vs 405 with the allowed METHODs. */
class RouterTest {
    private final Handler a = call -> Reply.json("a");
    private final Handler b = call -> Reply.json("b");
    private final Handler c = call -> Reply.json("c");

    private static Router.Route route(String regex, String method, Handler h) {
        return new Router.Route(Pattern.compile(regex), method, h, "test");
    }

    @Test
    void match_unanchoredRegex_matchesAtTheStartOnly() {
        Router router = new Router(List.of(route("/svc", "request", a)));

        assertSame(a, router.match("/svc", "request").handler());
        assertSame(a, router.match("/svc/deeper?x=1", "request").handler(), "lookingAt: a prefix match is enough");
        assertNull(router.match("/other/svc", "request").handler(), "the match must start at the path's start");
        assertEquals(Status.NOT_FOUND, router.match("/other/svc", "request").status());
    }

    @Test
    void match_anchoredRegex_rejectsLongerPaths() {
        Router router = new Router(List.of(route("^/svc$", "request", a)));

        Router.Match m = router.match("/svc/x", "request");

        assertNull(m.handler());
        assertEquals(Status.NOT_FOUND, m.status());
        assertEquals("no route for request /svc/x", m.message());
    }

    @Test
    void match_literalRoutes_decideAsTheirRegexDoes() {
        // literal regexes are decided by comparing strings: every case must agree with lookingAt
        List<String> regexes = List.of("^/svc$", "^/svc", "/svc", "/svc$", "^", "^$", "^/a-b_c~:@!,;=$",
                "^/svc\\$", "^/s.c$", "(?i)^/svc$");
        List<String> paths = List.of("/svc", "/svc/", "/svcx", "/sv", "", "/svc\n", "/svc\r\n", "/svc\u2028",
                "/SVC", "/sxc", "/a-b_c~:@!,;=", "/svc$", "/other/svc");
        for (String regex : regexes) {
            Router router = new Router(List.of(route(regex, "request", a)));
            for (String path : paths) {
                boolean expected = Pattern.compile(regex).matcher(path).lookingAt();
                assertEquals(expected, router.match(path, "request").handler() == a,
                        () -> "regex " + regex + " on path " + path.replace("\n", "\\n"));
            }
        }
    }

    @Test
    void match_found_hasStatus200AndEmptyMessage() {
        Router.Match m = new Router(List.of(route("^/x$", "request", a))).match("/x", "request");

        assertSame(a, m.handler());
        assertEquals(Status.OK, m.status());
        assertEquals("", m.message());
    }

    @Test
    void match_pathKnownButMethodNot_returns405ListingAllowedMethodsSorted() {
        Router router = new Router(List.of(
                route("^/x$", "zeta", a),
                route("^/x$", "alpha", b),
                route("^/x", "alpha", c),
                route("^/y$", "other", c)));

        Router.Match m = router.match("/x", "request");

        assertNull(m.handler());
        assertEquals(Status.METHOD_NOT_ALLOWED, m.status());
        assertEquals("METHOD request is not allowed on /x (allowed: alpha, zeta)", m.message());
    }

    @Test
    void match_severalRoutesMatch_firstInOrderWins() {
        Router router = new Router(List.of(
                route("^/x", "request", a),
                route("^/x/y$", "request", b)));

        assertSame(a, router.match("/x/y", "request").handler());
    }

    @Test
    void match_earlierRouteHasOtherMethod_laterRouteWithTheMethodWins() {
        Router router = new Router(List.of(
                route("^/x$", "get", a),
                route("^/x$", "request", b)));

        assertSame(b, router.match("/x", "request").handler());
        assertSame(a, router.match("/x", "get").handler());
    }

    @Test
    void match_methodIsCaseSensitive_returns405() {
        Router router = new Router(List.of(route("^/x$", "request", a)));

        Router.Match m = router.match("/x", "REQUEST");

        assertEquals(Status.METHOD_NOT_ALLOWED, m.status());
        assertEquals("METHOD REQUEST is not allowed on /x (allowed: request)", m.message());
    }
}
