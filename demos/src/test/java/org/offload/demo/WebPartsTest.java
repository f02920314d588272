package org.offload.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.offload.service.BadRequestException;
import org.offload.service.BusyException;
import org.offload.service.CancelledException;
import org.offload.service.DeadlineExceededException;
import org.offload.service.NotFoundException;
import org.offload.service.ProtocolException;
import org.offload.service.RemoteException;
import org.offload.service.ServiceUnavailableException;
import org.offload.service.UnauthorizedException;

/** The front end's small parts: error mapping, query parsing, escaping, the bounded reply list. */
class WebPartsTest {

    @Test
    void httpStatus_eachServiceFailure_itsHttpStatus() {
        assertEquals(400, Route.httpStatus(new BadRequestException("bad")));
        assertEquals(404, Route.httpStatus(new NotFoundException("none")));
        assertEquals(404, Route.httpStatus(new NotFoundException(405, "method")));
        assertEquals(503, Route.httpStatus(new ServiceUnavailableException("gone")));
        assertEquals(503, Route.httpStatus(new BusyException("busy")));
        assertEquals(503, Route.httpStatus(new CancelledException("cancelled")));
        assertEquals(504, Route.httpStatus(new DeadlineExceededException("slow")));
        assertEquals(502, Route.httpStatus(new RemoteException(500, "handler failed")));
        assertEquals(502, Route.httpStatus(new UnauthorizedException(401, "wrong passphrase")));
        assertEquals(502, Route.httpStatus(new ProtocolException(505, "version")));
    }

    @Test
    void parseQuery_decodesAndLastWins() {
        assertEquals(Map.of("a", "2", "b", "x y", "c", "", "d", "100%"),
                WebRequest.parseQuery("a=1&b=x%20y&c&&a=2&d=100%25"));
        assertEquals(Map.of("bad", "%zz"), WebRequest.parseQuery("bad=%zz"));
        assertEquals(Map.of(), WebRequest.parseQuery(null));
    }

    @Test
    void escape_htmlSpecials_replaced() {
        assertEquals("&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;", Html.escape("<a href=\"x\">Tom & Jerry's</a>"));
    }

    @Test
    void recentReplies_beyondCapacity_keepsNewestFirst() {
        RecentReplies replies = new RecentReplies();
        IntStream.range(0, RecentReplies.CAPACITY + 5).forEach(i -> replies.add("/service/async", 200, "reply " + i));

        List<RecentReplies.Entry> kept = replies.list();
        assertEquals(RecentReplies.CAPACITY, kept.size());
        assertEquals("reply " + (RecentReplies.CAPACITY + 4), kept.get(0).text());
        assertEquals("reply 5", kept.get(kept.size() - 1).text());
    }

    @Test
    void recentReplies_longText_cut() {
        RecentReplies replies = new RecentReplies();
        replies.add("/p", 200, "x".repeat(RecentReplies.MAX_TEXT + 10));

        assertEquals(RecentReplies.MAX_TEXT + 1, replies.list().get(0).text().length());
    }
}
