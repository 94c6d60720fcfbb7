package moe.ids.store;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RESP encoding of {@link RespPipeline} and parsing of {@link RespReader}, without a server. */
class ScriptPipeTest {
    @Test
    void encodesArraysOfBulkStringsExactly() {
        byte[][] args = {b("GET"), b(""), b("x".repeat(10)), b("é")};
        String expected = "*4\r\n$3\r\nGET\r\n$0\r\n\r\n$10\r\nxxxxxxxxxx\r\n$2\r\né\r\n";
        assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), RespPipeline.encode(args));
        byte[][] many = new byte[12][];
        for (int i = 0; i < many.length; i++) {
            many[i] = b("a".repeat(i * 11));
        }
        String enc = new String(RespPipeline.encode(many), StandardCharsets.UTF_8);
        assertTrue(enc.startsWith("*12\r\n$0\r\n\r\n$11\r\n" + "a".repeat(11) + "\r\n$22\r\n"), enc);
        assertEquals(many.length, enc.chars().filter(c -> c == '$').count());
    }

    @Test
    void parsesEveryReplyType() throws Exception {
        Object r = read(in("*5\r\n$2\r\n42\r\n$-1\r\n:-7\r\n+OK\r\n*1\r\n$0\r\n\r\n"));
        List<?> l = (List<?>) r;
        assertArrayEquals(b("42"), (byte[]) l.get(0));
        assertNull(l.get(1));
        assertEquals(-7L, l.get(2));
        assertEquals("OK", l.get(3));
        assertArrayEquals(new byte[0], (byte[]) ((List<?>) l.get(4)).getFirst());
        assertEquals(new RespPipeline.RedisError("NOSCRIPT No matching script"),
                read(in("-NOSCRIPT No matching script\r\n")));
        assertThrows(EOFException.class, () -> read(in("$5\r\nab")));
        assertThrows(java.io.IOException.class, () -> read(in("?x\r\n")));
    }

    @Test
    void parsesAnArrayHoldingANilAndAnError() throws Exception {
        var list = (List<?>) new RespReader(in("*4\r\n$1\r\n7\r\n$-1\r\n:12\r\n-NOSCRIPT x\r\n"), 8).read();
        assertEquals("7", new String((byte[]) list.get(0)));
        assertNull(list.get(1));
        assertEquals(12L, list.get(2));
        assertEquals(new RespPipeline.RedisError("NOSCRIPT x"), list.get(3));
    }

    @Test
    void readsRepliesThatCrossTheBuffer() throws Exception {
        String big = "x".repeat(100);
        RespReader r = new RespReader(in("+" + big + "\r\n$100\r\n" + big + "\r\n*2\r\n:123456789012\r\n-ERR "
                + big + "\r\n+OK\r\n"), 7);
        assertEquals(big, r.read());
        assertArrayEquals(b(big), (byte[]) r.read());
        assertEquals(List.of(123456789012L, new RespPipeline.RedisError("ERR " + big)), r.read());
        assertEquals("OK", r.read());
        assertThrows(EOFException.class, r::read);
    }

    private static Object read(ByteArrayInputStream in) throws java.io.IOException {
        return new RespReader(in, 4).read();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ByteArrayInputStream in(String s) {
        return new ByteArrayInputStream(b(s));
    }
}
