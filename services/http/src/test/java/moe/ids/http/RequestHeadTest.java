package moe.ids.http;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RequestHeadTest {
    private static RequestHead.Verdict inspect(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return RequestHead.inspect(b, b.length);
    }

    private static String rewrite(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return new String(RequestHead.rewrite(b, b.length, "10.0.0.1:8080"), StandardCharsets.ISO_8859_1);
    }

    @Test
    void http11OriginFormPassesUntouched() {
        assertEquals(RequestHead.Verdict.PASS, inspect("GET /mal/1 HTTP/1.1\r\nHost: x\r\n\r\n"));
    }

    @Test
    void anIncompleteRequestLineAsksForMore() {
        assertEquals(RequestHead.Verdict.MORE, inspect("GET /mal/1 HTT"));
    }

    @Test
    void anHttp10HeadIsRewrittenOnlyOnceComplete() {
        assertEquals(RequestHead.Verdict.MORE, inspect("GET / HTTP/1.0\r\nUser-Agent: x\r\n"));
        assertEquals(RequestHead.Verdict.REWRITE, inspect("GET / HTTP/1.0\r\nUser-Agent: x\r\n\r\n"));
    }

    @Test
    void http10GetsVersionHostAndCloseAndLosesKeepAlive() {
        assertEquals("GET /mal/1 HTTP/1.1\r\nUser-Agent: nginx\r\nHost: 10.0.0.1:8080\r\nConnection: close\r\n\r\n",
                rewrite("GET /mal/1 HTTP/1.0\r\nConnection: keep-alive\r\nUser-Agent: nginx\r\nKeep-Alive: 5\r\n\r\n"));
    }

    @Test
    void http10KeepsItsOwnHost() {
        assertEquals("GET / HTTP/1.1\r\nHost: ids.moe\r\nConnection: close\r\n\r\n",
                rewrite("GET / HTTP/1.0\r\nHost: ids.moe\r\n\r\n"));
    }

    @Test
    void absoluteFormBecomesOriginFormWithTheTargetsAuthorityAsHost() {
        assertEquals(RequestHead.Verdict.REWRITE, inspect("GET http://a.example/mal/1?x=1 HTTP/1.1\r\nHost: b\r\n\r\n"));
        assertEquals("GET /mal/1?x=1 HTTP/1.1\r\nAccept: */*\r\nHost: a.example:80\r\n\r\n",
                rewrite("GET http://a.example:80/mal/1?x=1 HTTP/1.1\r\nHost: b\r\nAccept: */*\r\n\r\n"));
    }

    @Test
    void anAbsoluteTargetWithoutPathIsTheRoot() {
        assertEquals("GET /?q HTTP/1.1\r\nHost: u\r\n\r\n", rewrite("GET HTTPS://user@u?q HTTP/1.1\r\n\r\n"));
    }

    @Test
    void theBodyAfterARewrittenHeadIsKept() {
        assertEquals("POST /mal HTTP/1.1\r\nContent-Length: 3\r\nHost: 10.0.0.1:8080\r\nConnection: close\r\n\r\n[1]",
                rewrite("POST /mal HTTP/1.0\r\nContent-Length: 3\r\n\r\n[1]"));
    }

    @Test
    void bareLineFeedsAndOtherVersionsAreLeftToTheParser() {
        assertEquals(RequestHead.Verdict.PASS, inspect("GET / HTTP/1.0\nHost: x\n\n"));
        assertEquals(RequestHead.Verdict.PASS, inspect("GET / HTTP/2.0\r\n\r\n"));
        assertEquals(RequestHead.Verdict.PASS, inspect("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
        assertEquals(RequestHead.Verdict.PASS, inspect("GET /\r\n"));
    }
}
