package org.offload.demo;

import java.util.List;

/**
 * {@code GET /}: links to every route, a form for the task route, and the latest replies that reached the
 * response handler (from {@code /service/async}). Everything shown is HTML-escaped.
 */
final class IndexPage extends Route {
    /** A link on the page: the METHOD, the href and what it shows. */
    record Link(String method, String href, String what) {
    }

    /** Every route of the front end, with examples. */
    static final List<Link> LINKS = List.of(
            new Link("GET", "/service/sync", "wait for slow-echo (default delay) and show its answer"),
            new Link("GET", "/service/sync?delay_ms=2000&message=hi", "the same with a 2 s delay and a message"),
            new Link("GET", "/service/async?message=hello", "202 at once; the reply shows up on this page"),
            new Link("GET", "/v1/uptime", "uptime of the CPU worker's machine"),
            new Link("GET", "/v1/iostat?count=3&wait=1", "3 disk reports, 1 s apart"),
            new Link("GET", "/v1/iostat?count=1.5", "invalid: 400 with the reason"),
            new Link("GET", "/demo", "the live page: tasks, tiles, workers, calls"),
            new Link("POST", "/v2/iostat?count=5&wait=2", "start a task: 201 with its id and links"),
            new Link("POST", "/v2/primes?seconds=20", "start a CPU task (counts primes for 20 s)"),
            new Link("GET", "/v2/task/ID", "poll a task: state, and the result once done"),
            new Link("DELETE", "/v2/task/ID", "cancel a task: 204, the worker stops"),
            new Link("GET", "/mandelbrot.png?width=800&height=600&iterations=1000", "a Mandelbrot image, tiles computed in parallel"),
            new Link("GET", "/demo/state", "what the live page shows, as JSON: tasks, replies, workers"),
            new Link("POST", "/demo/render?width=768&height=512", "start a tile-by-tile render; GET /demo/render/ID polls it"),
            new Link("POST", "/demo/workers/cpu-1/freeze", "freeze a worker (also thaw, stop, start)"),
            new Link("GET", "/health", "are both workers answering?"));

    static final String PATH = "/";

    private final RecentReplies replies;

    IndexPage(RecentReplies replies) {
        super(PATH, "GET");
        this.replies = replies;
    }

    @Override
    WebResponse serve(WebRequest web) {
        StringBuilder page = new StringBuilder("""
                <!DOCTYPE html>
                <html><head><meta charset="utf-8"><title>Offload demo</title></head>
                <body>
                <h1>Offload demo</h1>
                <p>This web front end calls worker processes over ZeroMQ: slow-echo and the cpu workers.
                <b><a href="/demo">Open the live page</a></b> to watch them.</p>
                <table border="1" cellpadding="4"><tr><th>method</th><th>route</th><th>what it does</th></tr>
                """);
        for (Link link : LINKS) {
            page.append("<tr><td>").append(link.method()).append("</td><td>").append(cell(link)).append("</td><td>")
                    .append(Html.escape(link.what())).append("</td></tr>\n");
        }
        page.append("</table>\n<h2>Latest replies to /service/async (newest first, at most ")
                .append(RecentReplies.CAPACITY).append(")</h2>\n<ul>\n");
        List<RecentReplies.Entry> entries = replies.list();
        if (entries.isEmpty()) {
            page.append("<li>none yet: try <a href=\"/service/async\">/service/async</a>, then reload</li>\n");
        }
        for (RecentReplies.Entry e : entries) {
            page.append("<li>").append(Html.escape(e.at() + " " + e.path() + " " + e.status() + " " + e.text()))
                    .append("</li>\n");
        }
        return WebResponse.html(page.append("</ul>\n</body></html>\n").toString());
    }

    /** A GET link, a form button for POST, and the curl command otherwise. */
    private static String cell(Link link) {
        String href = Html.escape(link.href());
        return switch (link.method()) {
            case "GET" -> link.href().contains("ID") ? "<code>" + href + "</code>" : "<a href=\"" + href + "\">" + href + "</a>";
            case "POST" -> "<form method=\"post\" action=\"" + href + "\"><button>" + href + "</button></form>";
            default -> "<code>curl -X " + link.method() + " http://HOST" + href + "</code>";
        };
    }
}
